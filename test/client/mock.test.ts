// The client against the Prism mock of openapi.yaml: every operation type-checks and is accepted
// by the contract's own request validation, with both kinds of auth.
import { describe, expect, inject, test } from 'vitest';
import { createConnectionsClient, type ConnectionsClient } from '../../client/index.js';
import { contractOperations, recordOperations } from './operations.js';

const ORG = '3c90c3cc-0d44-4b50-8888-8dd25736052a';
const OTHER = '7d3f4a52-8b1e-4c2d-9f60-1a2b3c4d5e6f';
const ACTION = '9b2e4c6d-1a3f-4e5b-8c7d-0e1f2a3b4c5d';

/** Calls every operation once; each answer must be a success of the contract. */
async function callEveryOperation(client: ConnectionsClient): Promise<Response[]> {
  const host = { params: { path: { host_org_id: OTHER } } };
  const guest = { params: { path: { guest_org_id: OTHER } } };
  const invitation = { params: { path: { invitation_id: OTHER } } };
  const endpoint = { params: { path: { endpoint_id: OTHER } } };
  const results = [
    await client.POST('/oauth2/token', { body: { client_id: 'client-1', client_secret: 'secret-1' } }),
    await client.GET('/healthz'),
    await client.GET('/readyz'),
    await client.GET('/docs', { parseAs: 'text' }),
    await client.GET('/docs/scalar.js', { parseAs: 'text' }),
    await client.GET('/openapi.json'),
    await client.GET('/openapi.yaml', { parseAs: 'text' }),
    await client.GET('/metrics', { parseAs: 'text' }),
    await client.GET('/organizations/{org_id}', { params: { path: { org_id: ORG } } }),
    await client.POST('/guest-invitations', {
      body: { email: 'guest@example.com', expired_at: '2030-01-01T00:00:00Z' },
    }),
    await client.GET('/guest-invitations', { params: { query: { statuses: ['sent'], limit: 10 } } }),
    await client.GET('/guest-invitations/{invitation_id}', invitation),
    await client.PATCH('/guest-invitations/{invitation_id}', { ...invitation, body: { archived: true } }),
    await client.POST('/host-connections', {
      body: { host_organization_id: OTHER, invitation_token: 'tok_0123456789' },
    }),
    await client.GET('/host-connections', {
      params: { query: { statuses: ['connected', 'disconnected'], search_field: 'host_email' } },
    }),
    await client.GET('/host-connections/{host_org_id}', host),
    await client.PATCH('/host-connections/{host_org_id}', { ...host, body: { status: 'disconnected' } }),
    await client.GET('/host-connections/{host_org_id}/actions', {
      ...host,
      params: { ...host.params, query: { status: 'active' } },
    }),
    await client.POST('/host-connections/{host_org_id}/actions/{action_id}/resolution', {
      params: { path: { host_org_id: OTHER, action_id: ACTION } },
    }),
    await client.GET('/guest-connections', { params: { query: { statuses: ['connected'], order_by: 'total_score' } } }),
    await client.GET('/guest-connections/{guest_org_id}', guest),
    await client.PATCH('/guest-connections/{guest_org_id}', { ...guest, body: { archived: false } }),
    await client.POST('/guest-connections/{guest_org_id}/actions', {
      ...guest,
      body: { action_type: 'documents_update_request' },
    }),
    await client.GET('/guest-connections/{guest_org_id}/actions', guest),
    await client.POST('/webhook-endpoints', {
      body: { url: 'https://hooks.example.com/in', event_types: ['guest_connection.created'] },
    }),
    await client.GET('/webhook-endpoints', { params: { query: { limit: 5 } } }),
    await client.GET('/webhook-endpoints/{endpoint_id}', endpoint),
    await client.PATCH('/webhook-endpoints/{endpoint_id}', { ...endpoint, body: { enabled: true } }),
    await client.POST('/webhook-endpoints/{endpoint_id}/secret-rotations', { ...endpoint, body: {} }),
    await client.GET('/webhook-endpoints/{endpoint_id}/deliveries', endpoint),
    await client.POST('/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/retries', {
      params: { path: { endpoint_id: OTHER, delivery_id: ACTION } },
    }),
  ];
  // No content: nothing to look into but the status.
  const deleted = await client.DELETE('/webhook-endpoints/{endpoint_id}', endpoint);
  expect(deleted.response.status).toBe(204);
  for (const { data, error, response } of results) {
    expect(error, `${response.status} from ${response.url}`).toBeUndefined();
    // The mock answers each operation's documented example: a JSON object with fields.
    expect(Object.keys(data ?? {}).length, response.url).toBeGreaterThan(0);
  }
  return [...results.map((result) => result.response), deleted.response];
}

describe('the client against the Prism mock', () => {
  const baseUrl = inject('prismMockUrl');

  test.each([
    ['a fixed token', { token: 'frontend-token' }],
    ['client credentials', { clientId: 'client-1', clientSecret: 'secret-1' }],
  ] as const)('every operation is callable with %s', async (_, auth) => {
    const client = createConnectionsClient({ baseUrl, requesterOrganizationId: ORG, ...auth });
    const recorder = recordOperations();
    client.use(recorder.middleware);

    const responses = await callEveryOperation(client);

    expect(responses.every((response) => response.ok)).toBe(true);
    expect([...recorder.seen].sort()).toEqual(contractOperations());
  });

  test('a request the contract refuses comes back as a problem', async () => {
    const client = createConnectionsClient({ baseUrl, requesterOrganizationId: ORG, token: 'frontend-token' });

    // Prism checks the path parameter's uuid format against the contract.
    const { error, response } = await client.GET('/host-connections/{host_org_id}', {
      params: { path: { host_org_id: 'not-a-uuid' } },
    });

    expect(response.status).toBe(422);
    expect(error).toMatchObject({ status: 422, code: 'validation_failed' });
  });
});
