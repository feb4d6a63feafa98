// The client against the real app in-process (PGlite): every operation, a retry after a lost
// response answered from the idempotency record, and paginate over several pages.
import { beforeAll, describe, expect, test } from 'vitest';
import { ConnectionsApiError, createConnectionsClient, type ConnectionsClient } from '../../client/index.js';
import { createTestApp, type TestApp, type TestOrganization } from '../support/app.js';
import { contractOperations, recordOperations } from './operations.js';

const BASE_URL = 'http://connections.test/v1';
const MISSING_ID = '00000000-0000-4000-8000-000000000000';
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

let t: TestApp;

type Fetch = (input: Request, init?: RequestInit) => Promise<Response>;

function clientOf(organization: TestOrganization, fetch?: Fetch): ConnectionsClient {
  return createConnectionsClient({
    baseUrl: BASE_URL,
    requesterOrganizationId: organization.organization_id,
    clientId: organization.client_id,
    clientSecret: organization.client_secret,
    fetch: fetch ?? (async (input, init) => t.app.fetch(new Request(input, init))),
    retry: { baseDelayMs: 1, maxDelayMs: 50 },
  });
}

/** A host with a pending invitation to a fresh guest's e-mail. */
async function invitedGuest() {
  const host = await t.newOrganization();
  const guest = await t.newOrganization();
  const guestEmail = (
    await t.store.db
      .selectFrom('organizations')
      .select('email')
      .where('id', '=', guest.organization_id)
      .executeTakeFirstOrThrow()
  ).email;
  const { data: invitation } = await clientOf(host).POST('/guest-invitations', {
    body: { email: guestEmail, expired_at: inDays(7), parent_organization_id: null },
  });
  if (!invitation) throw new Error('invitation not created');
  return { host, guest, invitation };
}

beforeAll(async () => {
  t = await createTestApp('pglite');
});

describe('the client against the real server', () => {
  test('every operation of the contract is callable and answers success', async () => {
    const { host, guest, invitation } = await invitedGuest();
    const hostId = host.organization_id;
    const guestId = guest.organization_id;
    const recorder = recordOperations();
    const asHost = clientOf(host);
    const asGuest = clientOf(guest);
    asHost.use(recorder.middleware);
    asGuest.use(recorder.middleware);

    const token = await asHost.POST('/oauth2/token', {
      body: { client_id: host.client_id, client_secret: host.client_secret },
    });
    expect(token.data?.token_type).toBe('Bearer');
    expect((await asHost.GET('/healthz')).data).toEqual({ status: 'ok' });
    expect((await asHost.GET('/readyz')).data).toEqual({ status: 'ok' });
    // The reference, the contract and the metrics live at the root too, and take no API token.
    expect((await asHost.GET('/docs', { parseAs: 'text' })).data).toContain('<div id="app">');
    expect((await asHost.GET('/docs/scalar.js', { parseAs: 'text' })).response.status).toBe(200);
    expect((await asHost.GET('/openapi.json')).data?.openapi).toBe('3.1.0');
    expect((await asHost.GET('/openapi.yaml', { parseAs: 'text' })).data).toMatch(/^openapi: 3\.1\.0$/m);
    expect((await asHost.GET('/metrics', { parseAs: 'text' })).data).toContain(
      '# TYPE http_request_duration_seconds histogram',
    );
    expect((await asHost.GET('/organizations/{org_id}', { params: { path: { org_id: hostId } } })).data?.id).toBe(
      hostId,
    );

    const listed = await asHost.GET('/guest-invitations', { params: { query: { statuses: ['sent'] } } });
    expect(listed.data?.items.map((item) => item.id)).toEqual([invitation.id]);
    const one = await asHost.GET('/guest-invitations/{invitation_id}', {
      params: { path: { invitation_id: invitation.id } },
    });
    expect(one.data?.invitation_token).toBe(invitation.invitation_token);
    const spare = await asHost.POST('/guest-invitations', {
      body: { email: 'spare@example.test', expired_at: inDays(1) },
    });
    const archived = await asHost.PATCH('/guest-invitations/{invitation_id}', {
      params: { path: { invitation_id: spare.data?.id ?? MISSING_ID } },
      body: { archived: true },
    });
    expect(archived.data?.archived).toBe(true);

    // The host hears of its guests through a webhook endpoint (a public address, never sent to here).
    const endpoint = await asHost.POST('/webhook-endpoints', {
      body: { url: 'https://93.184.215.14/hooks', event_types: ['guest_connection.created'] },
    });
    expect(endpoint.data?.secret).toMatch(/^whsec_/);
    const endpointPath = { params: { path: { endpoint_id: endpoint.data?.id ?? MISSING_ID } } };

    const connected = await asGuest.POST('/host-connections', {
      body: { host_organization_id: hostId, invitation_token: invitation.invitation_token },
    });
    expect(connected.response.status).toBe(201);
    expect(connected.response.headers.get('Location')).toBe(`/v1/host-connections/${hostId}`);
    expect(connected.data?.status).toBe('connected');
    // The host scenario: the host reads its connected guest's organization.
    const guestOrganization = await asHost.GET('/organizations/{org_id}', {
      params: { path: { org_id: guestId }, header: { 'Target-Organization-ID': guestId } },
    });
    expect(guestOrganization.data?.id).toBe(guestId);

    const hostConnections = await asGuest.GET('/host-connections', { params: { query: { statuses: ['connected'] } } });
    expect(hostConnections.data?.items.map((item) => item.host_organization_id)).toEqual([hostId]);
    const hostPath = { params: { path: { host_org_id: hostId } } };
    expect((await asGuest.GET('/host-connections/{host_org_id}', hostPath)).data?.host_organization_id).toBe(hostId);
    expect(
      (await asGuest.PATCH('/host-connections/{host_org_id}', { ...hostPath, body: { archived: true } })).data
        ?.archived,
    ).toBe(true);

    const guestConnections = await asHost.GET('/guest-connections', { params: { query: { statuses: ['connected'] } } });
    expect(guestConnections.data?.items.map((item) => item.guest_organization_id)).toEqual([guestId]);
    const guestPath = { params: { path: { guest_org_id: guestId } } };
    expect((await asHost.GET('/guest-connections/{guest_org_id}', guestPath)).data?.guest_organization_id).toBe(
      guestId,
    );
    expect(
      (await asHost.PATCH('/guest-connections/{guest_org_id}', { ...guestPath, body: { archived: true } })).data
        ?.archived,
    ).toBe(true);

    const action = await asHost.POST('/guest-connections/{guest_org_id}/actions', {
      ...guestPath,
      body: { action_type: 'analytics_request' },
    });
    expect(action.response.status).toBe(201);
    const actionId = action.data?.id ?? MISSING_ID;
    expect(
      (await asHost.GET('/guest-connections/{guest_org_id}/actions', guestPath)).data?.items.map((item) => item.id),
    ).toEqual([actionId]);
    expect(
      (await asGuest.GET('/host-connections/{host_org_id}/actions', hostPath)).data?.items.map((item) => item.id),
    ).toEqual([actionId]);
    const resolved = await asGuest.POST('/host-connections/{host_org_id}/actions/{action_id}/resolution', {
      params: { path: { host_org_id: hostId, action_id: actionId } },
    });
    expect(resolved.data?.status).toBe('resolved');

    expect((await asHost.GET('/webhook-endpoints')).data?.total_items).toBe(1);
    expect((await asHost.GET('/webhook-endpoints/{endpoint_id}', endpointPath)).data?.secret).toBeNull();
    const deliveries = await asHost.GET('/webhook-endpoints/{endpoint_id}/deliveries', endpointPath);
    expect(deliveries.data?.items.map((item) => item.event_type)).toEqual(['guest_connection.created']);
    const retried = await asHost.POST('/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/retries', {
      params: {
        path: {
          endpoint_id: endpoint.data?.id ?? MISSING_ID,
          delivery_id: deliveries.data?.items[0]?.id ?? MISSING_ID,
        },
      },
    });
    expect(retried.response.status).toBe(202);
    const rotated = await asHost.POST('/webhook-endpoints/{endpoint_id}/secret-rotations', {
      ...endpointPath,
      body: { grace_period_seconds: 0 },
    });
    expect(rotated.data?.secret).not.toBe(endpoint.data?.secret);
    const paused = await asHost.PATCH('/webhook-endpoints/{endpoint_id}', {
      ...endpointPath,
      body: { enabled: false },
    });
    expect(paused.data?.enabled).toBe(false);
    expect((await asHost.DELETE('/webhook-endpoints/{endpoint_id}', endpointPath)).response.status).toBe(204);

    expect([...recorder.seen].sort()).toEqual(contractOperations());
  });

  test('a problem comes back typed as the error, with its contract code', async () => {
    const organization = await t.newOrganization();

    const { data, error, response } = await clientOf(organization).GET('/host-connections/{host_org_id}', {
      params: { path: { host_org_id: MISSING_ID } },
    });

    expect(data).toBeUndefined();
    expect(response.status).toBe(404);
    expect(response.headers.get('Content-Type')).toContain('application/problem+json');
    expect(error?.code).toBe('host_connection_not_found');
  });

  test('a connect retried after a lost response creates one connection, answered from the idempotency record', async () => {
    const { host, guest, invitation } = await invitedGuest();
    let lost = 0;
    // The first POST reaches the server and commits; its response never reaches the client.
    const losingFetch: Fetch = async (input, init) => {
      const request = new Request(input, init);
      const response = await t.app.fetch(request);
      if (request.method === 'POST' && new URL(request.url).pathname === '/v1/host-connections' && lost++ === 0) {
        await response.body?.cancel();
        throw new TypeError('fetch failed: connection reset');
      }
      return response;
    };
    const asGuest = clientOf(guest, losingFetch);

    const { data, response } = await asGuest.POST('/host-connections', {
      body: { host_organization_id: host.organization_id, invitation_token: invitation.invitation_token },
    });

    expect(lost).toBe(2);
    expect(response.status).toBe(201);
    expect(response.headers.get('Idempotency-Replayed')).toBe('true');
    expect(data?.host_organization_id).toBe(host.organization_id);
    const connections = await asGuest.GET('/host-connections', {
      params: { query: { statuses: ['connected', 'disconnected'] } },
    });
    expect(connections.data?.total_items).toBe(1);
    const guests = await clientOf(host).GET('/guest-connections', {
      params: { query: { statuses: ['connected', 'disconnected'] } },
    });
    expect(guests.data?.items.map((item) => item.guest_organization_id)).toEqual([guest.organization_id]);
  });

  test('paginate walks every page of a list longer than one page', async () => {
    const host = await t.newOrganization();
    let pages = 0;
    const countingFetch: Fetch = async (input, init) => {
      const request = new Request(input, init);
      if (request.method === 'GET') pages += 1;
      return t.app.fetch(request);
    };
    const asHost = clientOf(host, countingFetch);
    const emails = Array.from({ length: 7 }, (_, index) => `guest-${index}@example.test`);
    for (const email of emails) await asHost.POST('/guest-invitations', { body: { email, expired_at: inDays(3) } });

    const seen: string[] = [];
    for await (const invitation of asHost.paginate('/guest-invitations', {
      params: { query: { limit: 3, order_by: 'email' } },
    })) {
      seen.push(invitation.email);
    }

    expect(seen).toEqual(emails);
    expect(pages).toBe(3);
  });

  test('paginate starts at the given offset', async () => {
    const host = await t.newOrganization();
    const asHost = clientOf(host);
    for (const index of [0, 1, 2, 3])
      await asHost.POST('/guest-invitations', { body: { email: `g${index}@example.test`, expired_at: inDays(3) } });

    const seen: string[] = [];
    for await (const invitation of asHost.paginate('/guest-invitations', {
      params: { query: { limit: 2, offset: 1, order_by: 'email' } },
    })) {
      seen.push(invitation.email);
    }

    expect(seen).toEqual(['g1@example.test', 'g2@example.test', 'g3@example.test']);
  });

  test('paginate throws the problem of a failed page', async () => {
    const organization = await t.newOrganization();
    const walk = async () => {
      for await (const action of clientOf(organization).paginate('/host-connections/{host_org_id}/actions', {
        params: { path: { host_org_id: MISSING_ID } },
      })) {
        throw new Error(`unexpected action ${action.id}`);
      }
    };

    const failure = await walk().catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ConnectionsApiError);
    expect((failure as ConnectionsApiError).problem?.code).toBe('host_connection_not_found');
  });
});
