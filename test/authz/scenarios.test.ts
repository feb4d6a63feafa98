// Scenarios: self, host and guest come from the two organization headers and the connections;
// each operation's x-scenarios decides which it allows.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Problem } from '../../server/http/problem.js';
import { heldScenarios } from '../../server/domain/access.js';
import { createTestApp, type TestApp, type TestOrganization } from '../support/app.js';
import { engines } from '../support/database.js';

describe.each(engines)('scenarios on %s', (engine) => {
  let t: TestApp;
  let host: TestOrganization;
  let guest: TestOrganization;
  let former: TestOrganization;
  let stranger: TestOrganization;

  beforeAll(async () => {
    t = await createTestApp(engine);
    [host, guest, former, stranger] = await Promise.all([
      t.newOrganization(),
      t.newOrganization(),
      t.newOrganization(),
      t.newOrganization(),
    ]);
    await t.store.db
      .insertInto('connections')
      .values([
        {
          host_organization_id: host.organization_id,
          guest_organization_id: guest.organization_id,
          status: 'connected',
        },
        {
          host_organization_id: host.organization_id,
          guest_organization_id: former.organization_id,
          status: 'disconnected',
        },
      ])
      .execute();
  });

  const getOrganization = (caller: TestOrganization, target: string, orgId = target) =>
    t.request(`/v1/organizations/${orgId}`, { headers: caller.headers(target) });

  async function codeOf(response: Response): Promise<string> {
    return ((await response.json()) as Problem).code;
  }

  it('resolves self, host, guest, and none (a disconnected connection counts as none)', async () => {
    const db = t.store.db;
    expect(await heldScenarios(db, host.organization_id, host.organization_id)).toEqual(['self']);
    expect(await heldScenarios(db, host.organization_id, guest.organization_id)).toEqual(['host']);
    expect(await heldScenarios(db, guest.organization_id, host.organization_id)).toEqual(['guest']);
    expect(await heldScenarios(db, host.organization_id, former.organization_id)).toEqual([]);
    expect(await heldScenarios(db, former.organization_id, host.organization_id)).toEqual([]);
    expect(await heldScenarios(db, host.organization_id, stranger.organization_id)).toEqual([]);
    expect(await heldScenarios(db, host.organization_id, randomUUID())).toEqual([]);
  });

  it('lets getOrganization run as self, as host and as guest', async () => {
    for (const [caller, target] of [
      [host, host],
      [host, guest],
      [guest, host],
    ] as const) {
      const response = await getOrganization(caller, target.organization_id);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { id: string }).id).toBe(target.organization_id);
    }
  });

  it('answers 403 not_connected without a connected connection, whether the target exists or not', async () => {
    for (const [caller, target] of [
      [host, former.organization_id],
      [former, host.organization_id],
      [host, stranger.organization_id],
      [host, randomUUID()],
    ] as const) {
      const response = await getOrganization(caller, target);
      expect(response.status).toBe(403);
      expect(await codeOf(response)).toBe('not_connected');
    }
  });

  it('answers 404 when org_id is not the target, even for an organization the caller may see', async () => {
    const response = await getOrganization(guest, host.organization_id, guest.organization_id);
    expect(response.status).toBe(404);
    expect(await codeOf(response)).toBe('organization_not_found');
  });

  it('answers 403 scenario_not_allowed for a self-only operation in the host or guest scenario', async () => {
    const asHost = await t.request('/v1/guest-invitations', { headers: host.headers(guest.organization_id) });
    expect(asHost.status).toBe(403);
    expect(await codeOf(asHost)).toBe('scenario_not_allowed');
    const asGuest = await t.request('/v1/host-connections?statuses=connected', {
      headers: guest.headers(host.organization_id),
    });
    expect(asGuest.status).toBe(403);
    expect(await codeOf(asGuest)).toBe('scenario_not_allowed');
  });

  it('answers 403 before judging the other inputs', async () => {
    const response = await t.request('/v1/guest-invitations?limit=1000&bogus=1', {
      headers: host.headers(guest.organization_id),
    });
    expect(response.status).toBe(403);
  });
});
