import { afterEach, describe, expect, test, vi } from 'vitest';
import { ConnectionsApiError, createConnectionsClient } from '../../client/index.js';
import {
  BASE_URL,
  gate,
  hang,
  json,
  ORG,
  organization,
  problem,
  scriptedFetch,
  tokenResponse,
  type Script,
} from './scripted-fetch.js';

const credentials = { clientId: 'client-1', clientSecret: 'secret-1' };
const fastRetry = { retries: 2, baseDelayMs: 1, maxDelayMs: 5 };

/** Tokens `tok-1`, `tok-2`, … in the order they are asked for; the API accepts only `accepted` tokens. */
function tokenServer(accepted: (token: string) => boolean, api: Script = () => json(200, organization)) {
  let issued = 0;
  return scriptedFetch((request, index) => {
    if (request.url.pathname === '/v1/oauth2/token') return tokenResponse(`tok-${++issued}`);
    const token = request.headers.get('Authorization')?.replace('Bearer ', '') ?? '';
    return accepted(token) ? api(request, index) : problem(401, 'invalid_token', { 'WWW-Authenticate': 'Bearer' });
  });
}

const getOrganization = (client: ReturnType<typeof createConnectionsClient>, signal?: AbortSignal) =>
  client.GET('/organizations/{org_id}', { params: { path: { org_id: ORG } }, ...(signal ? { signal } : {}) });

afterEach(() => {
  vi.useRealTimers();
});

describe('client credentials', () => {
  test('one token request is shared by concurrent calls and then cached', async () => {
    const held = gate();
    let issued = 0;
    const server = scriptedFetch(async (request) => {
      if (request.url.pathname !== '/v1/oauth2/token') return json(200, organization);
      await held.opened;
      return tokenResponse(`tok-${++issued}`);
    });
    const client = createConnectionsClient({
      baseUrl: BASE_URL,
      requesterOrganizationId: ORG,
      ...credentials,
      fetch: server.fetch,
    });

    const calls = Array.from({ length: 5 }, () => getOrganization(client));
    await vi.waitFor(() => expect(server.to('/oauth2/token')).toHaveLength(1));
    held.open();
    const results = await Promise.all(calls);
    await getOrganization(client);

    expect(results.map((result) => result.data?.id)).toEqual(Array(5).fill(ORG));
    expect(server.to('/oauth2/token')).toHaveLength(1);
    const [tokenRequest] = server.to('/oauth2/token');
    if (!tokenRequest) throw new Error('no token request');
    expect(tokenRequest.method).toBe('POST');
    expect(JSON.parse(tokenRequest.body)).toMatchObject({ client_id: 'client-1', client_secret: 'secret-1' });
    // The token call is public: no bearer, no organization headers (and no recursion through the bearer layer).
    expect(tokenRequest.headers.get('Authorization')).toBeNull();
    expect(tokenRequest.headers.get('Requester-Organization-ID')).toBeNull();
    const apiCalls = server.to(`/organizations/${ORG}`);
    expect(apiCalls).toHaveLength(6);
    expect(apiCalls.every((request) => request.headers.get('Authorization') === 'Bearer tok-1')).toBe(true);
  });

  test('a token is renewed shortly before expires_in runs out', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    const server = tokenServer(() => true);
    const client = createConnectionsClient({
      baseUrl: BASE_URL,
      requesterOrganizationId: ORG,
      ...credentials,
      fetch: server.fetch,
    });

    await getOrganization(client);
    vi.setSystemTime(new Date('2030-01-01T00:58:00Z')); // 3480 s of 3600: still well inside
    await getOrganization(client);
    vi.setSystemTime(new Date('2030-01-01T00:59:30Z')); // inside the last minute: renew now
    await getOrganization(client);

    expect(server.to('/oauth2/token')).toHaveLength(2);
    expect(server.to(`/organizations/${ORG}`).map((request) => request.headers.get('Authorization'))).toEqual([
      'Bearer tok-1',
      'Bearer tok-1',
      'Bearer tok-2',
    ]);
  });

  test('a 401 gets a fresh token and the request, body included, is sent once more', async () => {
    const server = tokenServer(
      (token) => token !== 'tok-1',
      (request) => json(201, { ...JSON.parse(request.body), id: ORG }),
    );
    const client = createConnectionsClient({
      baseUrl: BASE_URL,
      requesterOrganizationId: ORG,
      ...credentials,
      fetch: server.fetch,
    });

    const body = { email: 'guest@example.com', expired_at: '2030-01-01T00:00:00Z', parent_organization_id: null };
    const { data, error } = await client.POST('/guest-invitations', { body });

    expect(error).toBeUndefined();
    expect(data).toMatchObject(body);
    expect(server.to('/oauth2/token')).toHaveLength(2);
    const attempts = server.to('/guest-invitations');
    expect(attempts.map((request) => request.headers.get('Authorization'))).toEqual(['Bearer tok-1', 'Bearer tok-2']);
    expect(attempts.map((request) => JSON.parse(request.body))).toEqual([body, body]);
  });

  test('a second 401 is returned to the caller: one refresh, one retry, no loop', async () => {
    const server = tokenServer(() => false);
    const client = createConnectionsClient({
      baseUrl: BASE_URL,
      requesterOrganizationId: ORG,
      ...credentials,
      fetch: server.fetch,
    });

    const { data, error, response } = await getOrganization(client);

    expect(data).toBeUndefined();
    expect(response.status).toBe(401);
    expect(error?.code).toBe('invalid_token');
    expect(server.to('/oauth2/token')).toHaveLength(2);
    expect(server.to(`/organizations/${ORG}`)).toHaveLength(2);
  });

  test('concurrent 401s share one refresh', async () => {
    const server = tokenServer((token) => token !== 'tok-1');
    const client = createConnectionsClient({
      baseUrl: BASE_URL,
      requesterOrganizationId: ORG,
      ...credentials,
      fetch: server.fetch,
    });

    const results = await Promise.all(Array.from({ length: 4 }, () => getOrganization(client)));

    expect(results.every((result) => result.data?.id === ORG)).toBe(true);
    expect(server.to('/oauth2/token')).toHaveLength(2);
    expect(server.to(`/organizations/${ORG}`).map((request) => request.headers.get('Authorization'))).toEqual([
      ...Array(4).fill('Bearer tok-1'),
      ...Array(4).fill('Bearer tok-2'),
    ]);
  });

  test('refused credentials reject the call with the token endpoint problem', async () => {
    const server = scriptedFetch(() => problem(401, 'invalid_client'));
    const client = createConnectionsClient({
      baseUrl: BASE_URL,
      requesterOrganizationId: ORG,
      ...credentials,
      fetch: server.fetch,
    });

    const failure = await getOrganization(client).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ConnectionsApiError);
    expect((failure as ConnectionsApiError).status).toBe(401);
    expect((failure as ConnectionsApiError).problem?.code).toBe('invalid_client');
    expect(server.sent.map((request) => request.url.pathname)).toEqual(['/v1/oauth2/token']);
  });

  test('a failing token endpoint is retried like a safe request', async () => {
    let tokenCalls = 0;
    const server = scriptedFetch((request) => {
      if (request.url.pathname !== '/v1/oauth2/token') return json(200, organization);
      return ++tokenCalls === 1 ? problem(503, 'service_unavailable') : tokenResponse('tok-1');
    });
    const client = createConnectionsClient({
      baseUrl: BASE_URL,
      requesterOrganizationId: ORG,
      ...credentials,
      fetch: server.fetch,
      retry: fastRetry,
    });

    const { data } = await getOrganization(client);

    expect(data?.id).toBe(ORG);
    expect(server.to('/oauth2/token')).toHaveLength(2);
  });

  test('aborting while the shared token is pending ends that call only', async () => {
    const held = gate();
    const server = scriptedFetch(async (request) => {
      if (request.url.pathname !== '/v1/oauth2/token') return json(200, organization);
      await held.opened;
      return tokenResponse('tok-1');
    });
    const client = createConnectionsClient({
      baseUrl: BASE_URL,
      requesterOrganizationId: ORG,
      ...credentials,
      fetch: server.fetch,
    });
    const controller = new AbortController();

    const aborted = getOrganization(client, controller.signal);
    const other = getOrganization(client);
    await vi.waitFor(() => expect(server.to('/oauth2/token')).toHaveLength(1));
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    held.open();

    expect((await other).data?.id).toBe(ORG);
    expect(server.to(`/organizations/${ORG}`)).toHaveLength(1);
  });
});

describe('caller-supplied tokens', () => {
  test('a fixed token is sent as is, and a 401 is not retried', async () => {
    const server = scriptedFetch(() => problem(401, 'invalid_token'));
    const client = createConnectionsClient({
      baseUrl: BASE_URL,
      requesterOrganizationId: ORG,
      token: 'fixed',
      fetch: server.fetch,
    });

    const { error } = await getOrganization(client);

    expect(error?.code).toBe('invalid_token');
    expect(server.sent).toHaveLength(1);
    expect(server.sent[0]?.headers.get('Authorization')).toBe('Bearer fixed');
  });

  test('a token function is asked per call, and once more after a 401', async () => {
    const tokens = ['old', 'old', 'new'];
    const provider = vi.fn(async () => tokens.shift() ?? 'none');
    const server = scriptedFetch((request) =>
      request.headers.get('Authorization') === 'Bearer new' ? json(200, organization) : problem(401, 'invalid_token'),
    );
    const client = createConnectionsClient({
      baseUrl: BASE_URL,
      requesterOrganizationId: ORG,
      token: provider,
      fetch: server.fetch,
    });

    const first = await getOrganization(client); // old → 401 → old again: nothing new to try
    const second = await getOrganization(client); // new

    expect(first.error?.code).toBe('invalid_token');
    expect(second.data?.id).toBe(ORG);
    expect(server.sent.map((request) => request.headers.get('Authorization'))).toEqual(['Bearer old', 'Bearer new']);
    expect(provider).toHaveBeenCalledTimes(3);
  });
});

describe('public operations', () => {
  test('the token and probe operations carry neither bearer nor organization headers; probes go to the root', async () => {
    const server = scriptedFetch((request) =>
      request.url.pathname === '/healthz' ? json(200, { status: 'ok' }) : tokenResponse('t'),
    );
    const client = createConnectionsClient({
      baseUrl: BASE_URL,
      requesterOrganizationId: ORG,
      token: 'fixed',
      fetch: server.fetch,
    });

    const health = await client.GET('/healthz');
    const token = await client.POST('/oauth2/token', { body: { client_id: 'a', client_secret: 'b' } });

    expect(health.data).toEqual({ status: 'ok' });
    expect(token.data?.access_token).toBe('t');
    expect(server.sent.map((request) => request.url.href)).toEqual([
      'http://api.test/healthz',
      `${BASE_URL}/oauth2/token`,
    ]);
    for (const request of server.sent) {
      expect(request.headers.get('Authorization')).toBeNull();
      expect(request.headers.get('Requester-Organization-ID')).toBeNull();
      expect(request.headers.get('Target-Organization-ID')).toBeNull();
    }
  });

  test('a hung call is abandoned after timeoutMs per attempt', async () => {
    const server = scriptedFetch((request) => hang(request));
    const client = createConnectionsClient({
      baseUrl: BASE_URL,
      requesterOrganizationId: ORG,
      token: 'fixed',
      fetch: server.fetch,
      timeoutMs: 20,
      retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 5 },
    });

    await expect(getOrganization(client)).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(server.sent).toHaveLength(2);
  });
});
