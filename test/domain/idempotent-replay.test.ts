// An Idempotency-Key replay is the first response again, byte for byte: the same body text (not
// merely equal JSON; a client may hash or sign it) and the same headers, plus
// `Idempotency-Replayed: true`.
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { engines } from '../support/database.js';
import { connect, invite } from './flows.js';

/** Every header but the ones that differ per request by design. */
function headersOf(response: Response): [string, string][] {
  return [...response.headers].filter(([name]) => name !== 'x-request-id' && name !== 'idempotency-replayed');
}

describe.each(engines)('Idempotency-Key replays on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(engine);
  });

  it('sends the stored bytes and headers again', async () => {
    const host = await t.newOrganization({ name: 'Zeta "Quoted" Host ✓' });
    const guest = await t.newOrganization();
    const invitation = await invite(t, host, `guest-${guest.organization_id}@example.test`);
    const key = { 'Idempotency-Key': `replay-${guest.organization_id}` };

    const first = await connect(t, guest, host.organization_id, invitation.invitation_token, key);
    const firstText = await first.text();
    expect(first.status, firstText).toBe(201);
    const replay = await connect(t, guest, host.organization_id, invitation.invitation_token, key);
    const replayText = await replay.text();

    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotency-replayed')).toBe('true');
    expect(replayText).toBe(firstText);
    expect(headersOf(replay)).toEqual(headersOf(first));
    // The first response is the handler's own serialization, in the contract's field order.
    expect(Object.keys(JSON.parse(firstText) as object)[0]).toBe('host_organization_id');
  });
});
