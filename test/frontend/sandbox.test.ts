// createSandbox() from connections-api/server: the real app in this process on a seeded
// in-memory database, for tests that need state; the client reaches it through its `fetch`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectionsClient } from '../../client/index.js';
import { createSandbox, type Sandbox } from '../../server/index.js';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await createSandbox();
});
afterAll(async () => {
  await sandbox?.close();
});

const clientOf = (organization: Sandbox['guest']) =>
  createConnectionsClient({
    baseUrl: sandbox.baseUrl,
    requesterOrganizationId: organization.organization_id,
    clientId: organization.client_id,
    clientSecret: organization.client_secret,
    fetch: sandbox.fetch,
  });

describe('createSandbox', () => {
  it('keeps state across calls: the guest accepts the invitation, and both sides see the connection', async () => {
    expect(sandbox.baseUrl).toBe('http://sandbox.test/v1');
    const guest = clientOf(sandbox.guest);
    const before = await guest.GET('/host-connections', { params: { query: { statuses: ['connected'] } } });
    expect(before.data).toEqual({ items: [], total_items: 0 });

    const accepted = await guest.POST('/host-connections', {
      body: {
        host_organization_id: sandbox.host.organization_id,
        invitation_token: sandbox.invitation.invitation_token,
      },
    });
    expect(accepted.response.status).toBe(201);

    const [hosts, guests] = await Promise.all([
      guest.GET('/host-connections', { params: { query: { statuses: ['connected'] } } }),
      clientOf(sandbox.host).GET('/guest-connections', { params: { query: { statuses: ['connected'] } } }),
    ]);
    expect(hosts.data?.items.map((host) => host.host_name)).toEqual([sandbox.host.name]);
    expect(guests.data?.items.map((connected) => connected.guest_name)).toEqual([sandbox.guest.name]);
  });

  it('answers problems as the real server does', async () => {
    const { error, response } = await clientOf(sandbox.guest).GET('/host-connections/{host_org_id}', {
      params: { path: { host_org_id: '00000000-0000-4000-8000-000000000000' } },
    });
    expect(response.status).toBe(404);
    expect(error?.code).toBe('host_connection_not_found');
  });
});
