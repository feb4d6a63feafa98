// parent_organization_id names an organization whose name then appears in the invitation: only
// the host itself or an organization with a `connected` connection to it (either direction) may
// be named. Any other answers exactly like an id that names nothing, so neither the name nor the
// existence of an organization leaks to a stranger.
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestApp, TestOrganization } from '../support/app.js';
import { createTestApp } from '../support/app.js';
import { engines } from '../support/database.js';
import { MISSING_ID, connectTo, expectStatus, inDays, send, type Invitation } from './flows.js';

describe.each(engines)('parent_organization_id on %s', (engine) => {
  let t: TestApp;
  let host: TestOrganization;

  beforeAll(async () => {
    t = await createTestApp(engine);
    host = await t.newOrganization({ name: 'Host Lending' });
  });

  const inviteUnder = (parent: string) =>
    send(t, host, 'POST', '/guest-invitations', {
      email: 'guest@example.test',
      expired_at: inDays(7),
      parent_organization_id: parent,
    });
  const invitationCount = async () =>
    (await expectStatus<{ total_items: number }>(await send(t, host, 'GET', '/guest-invitations'), 200)).total_items;

  it('accepts the host itself', async () => {
    const invitation = await expectStatus<Invitation>(await inviteUnder(host.organization_id), 201);
    expect(invitation.parent_organization_name).toBe('Host Lending');
  });

  it('accepts a connected guest of the host and a connected host of the host', async () => {
    const guest = await t.newOrganization({ name: 'Guest Holding' });
    await connectTo(t, host, guest);
    const upstream = await t.newOrganization({ name: 'Upstream Bank' });
    await connectTo(t, upstream, host);
    for (const [parent, name] of [
      [guest, 'Guest Holding'],
      [upstream, 'Upstream Bank'],
    ] as const) {
      const invitation = await expectStatus<Invitation>(await inviteUnder(parent.organization_id.toUpperCase()), 201);
      expect(invitation).toMatchObject({
        parent_organization_id: parent.organization_id,
        parent_organization_name: name,
      });
    }
  });

  it('answers a stranger, and a disconnected organization, exactly as an id that names nothing, and stores nothing', async () => {
    const stranger = await t.newOrganization({ name: 'Secret Stranger' });
    const former = await t.newOrganization({ name: 'Former Guest' });
    await connectTo(t, host, former);
    await expectStatus(
      await send(t, former, 'PATCH', `/host-connections/${host.organization_id}`, { status: 'disconnected' }),
      200,
    );

    const before = await invitationCount();
    const missing = await inviteUnder(MISSING_ID);
    const missingBody = await missing.text();
    expect(missing.status, missingBody).toBe(404);
    expect(JSON.parse(missingBody)).toMatchObject({ code: 'organization_not_found' });
    for (const parent of [stranger, former]) {
      const response = await inviteUnder(parent.organization_id);
      const body = await response.text();
      expect({ status: response.status, body }).toEqual({ status: missing.status, body: missingBody });
      expect(body).not.toContain(parent.organization_id);
    }
    expect(await invitationCount()).toBe(before);
  });

  it('lets a stranger name another organization as parent of its own invitation only when connected to it', async () => {
    // The report's case: S, connected to nobody, names H; before, S got 201 with H's name.
    const stranger = await t.newOrganization();
    const response = await send(t, stranger, 'POST', '/guest-invitations', {
      email: 'probe@example.test',
      expired_at: inDays(7),
      parent_organization_id: host.organization_id,
    });
    const body = await response.text();
    expect(response.status, body).toBe(404);
    expect(body).not.toContain('Host Lending');
  });
});
