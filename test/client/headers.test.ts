import { describe, expect, test } from 'vitest';
import { createConnectionsClient } from '../../client/index.js';
import { UUID } from '../../conformance/uuid.js';
import { BASE_URL, json, ORG, OTHER_ORG, organization, problem, scriptedFetch } from './scripted-fetch.js';

const connectBody = { host_organization_id: OTHER_ORG, invitation_token: null };

describe('organization headers', () => {
  test('the target defaults to the requester (the self scenario)', async () => {
    const server = scriptedFetch(() => json(200, organization));
    const client = createConnectionsClient({
      baseUrl: BASE_URL,
      requesterOrganizationId: ORG,
      token: 't',
      fetch: server.fetch,
    });

    await client.GET('/organizations/{org_id}', { params: { path: { org_id: ORG } } });

    expect(server.sent[0]?.headers.get('Requester-Organization-ID')).toBe(ORG);
    expect(server.sent[0]?.headers.get('Target-Organization-ID')).toBe(ORG);
  });

  test('a default target is sent, and a header set by the call wins over it', async () => {
    const server = scriptedFetch(() => json(200, organization));
    const third = '33333333-3333-4333-8333-333333333333';
    const client = createConnectionsClient({
      baseUrl: BASE_URL,
      requesterOrganizationId: ORG,
      targetOrganizationId: OTHER_ORG,
      token: 't',
      fetch: server.fetch,
    });

    await client.GET('/organizations/{org_id}', { params: { path: { org_id: OTHER_ORG } } });
    await client.GET('/organizations/{org_id}', {
      params: { path: { org_id: third }, header: { 'Target-Organization-ID': third } },
    });

    expect(server.sent.map((request) => request.headers.get('Target-Organization-ID'))).toEqual([OTHER_ORG, third]);
    expect(server.sent.map((request) => request.headers.get('Requester-Organization-ID'))).toEqual([ORG, ORG]);
  });
});

describe('idempotency keys', () => {
  test('POST /host-connections gets a random key; other POSTs do not', async () => {
    const server = scriptedFetch(() => json(201, {}));
    const client = createConnectionsClient({
      baseUrl: BASE_URL,
      requesterOrganizationId: ORG,
      token: 't',
      fetch: server.fetch,
    });

    await client.POST('/host-connections', { body: connectBody });
    await client.POST('/host-connections', { body: connectBody });
    await client.POST('/guest-invitations', { body: { email: 'g@example.com', expired_at: '2030-01-01T00:00:00Z' } });

    const [first, second, invitation] = server.sent.map((request) => request.headers.get('Idempotency-Key'));
    expect(first).toMatch(UUID);
    expect(second).toMatch(UUID);
    expect(second).not.toBe(first);
    expect(invitation).toBeNull();
  });

  test('the key stays the same across retries, and a caller-chosen key is kept', async () => {
    const server = scriptedFetch((_, index) => (index % 3 < 2 ? problem(503, 'service_unavailable') : json(201, {})));
    const client = createConnectionsClient({
      baseUrl: BASE_URL,
      requesterOrganizationId: ORG,
      token: 't',
      fetch: server.fetch,
      retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 5 },
    });

    const generated = await client.POST('/host-connections', { body: connectBody });
    const chosen = await client.POST('/host-connections', {
      body: connectBody,
      params: { header: { 'Idempotency-Key': 'my-key-1' } },
    });

    expect(generated.response.status).toBe(201);
    expect(chosen.response.status).toBe(201);
    const keys = server.sent.map((request) => request.headers.get('Idempotency-Key'));
    expect(keys).toHaveLength(6);
    expect(new Set(keys.slice(0, 3)).size).toBe(1);
    expect(keys[0]).toMatch(UUID);
    expect(keys.slice(3)).toEqual(['my-key-1', 'my-key-1', 'my-key-1']);
    expect(server.sent.every((request) => JSON.parse(request.body).host_organization_id === OTHER_ORG)).toBe(true);
  });
});
