import { afterEach, describe, expect, test, vi } from 'vitest';
import { createConnectionsClient, type RetryOptions } from '../../client/index.js';
import { retryAfterMs } from '../../client/retry.js';
import {
  BASE_URL,
  hang,
  json,
  ORG,
  OTHER_ORG,
  organization,
  problem,
  scriptedFetch,
  type Script,
} from './scripted-fetch.js';

const fast: RetryOptions = { retries: 2, baseDelayMs: 1, maxDelayMs: 5 };

function clientFor(script: Script, retry: RetryOptions = fast) {
  const server = scriptedFetch(script);
  const client = createConnectionsClient({
    baseUrl: BASE_URL,
    requesterOrganizationId: ORG,
    token: 't',
    fetch: server.fetch,
    retry,
  });
  return { server, client };
}

const getOrganization = (client: ReturnType<typeof createConnectionsClient>, signal?: AbortSignal) =>
  client.GET('/organizations/{org_id}', { params: { path: { org_id: ORG } }, ...(signal ? { signal } : {}) });

const networkError = () => Promise.reject(new TypeError('fetch failed'));

afterEach(() => {
  vi.useRealTimers();
});

describe('which answers are retried', () => {
  test.each([429, 502, 503, 504])('a GET answered %i is retried until it succeeds', async (status) => {
    const { server, client } = clientFor((_, index) =>
      index < 2 ? problem(status, 'service_unavailable') : json(200, organization),
    );

    const { data } = await getOrganization(client);

    expect(data?.id).toBe(ORG);
    expect(server.sent).toHaveLength(3);
  });

  test.each([400, 401, 404, 409, 422, 500])('a GET answered %i is not retried', async (status) => {
    const { server, client } = clientFor(() => problem(status, 'internal_error'));

    const { response } = await getOrganization(client);

    expect(response.status).toBe(status);
    expect(server.sent).toHaveLength(1);
  });

  test('retries stop at their limit and the last answer is returned', async () => {
    const { server, client } = clientFor(() => problem(503, 'service_unavailable'), { ...fast, retries: 3 });

    const { error, response } = await getOrganization(client);

    expect(response.status).toBe(503);
    expect(error?.code).toBe('service_unavailable');
    expect(server.sent).toHaveLength(4);
  });

  test('network errors are retried, and the last one is thrown', async () => {
    const { server, client } = clientFor(networkError);

    await expect(getOrganization(client)).rejects.toThrow('fetch failed');
    expect(server.sent).toHaveLength(3);
  });

  test('retries: 0 sends once', async () => {
    const { server, client } = clientFor(() => problem(503, 'service_unavailable'), { retries: 0 });

    await getOrganization(client);

    expect(server.sent).toHaveLength(1);
  });

  test('an unsafe POST without Idempotency-Key is never retried', async () => {
    const { server, client } = clientFor(() => problem(503, 'service_unavailable'));
    const body = { email: 'g@example.com', expired_at: '2030-01-01T00:00:00Z' };

    const answered = await client.POST('/guest-invitations', { body });
    const failed = await client
      .POST('/guest-invitations', { body, fetch: networkError })
      .catch((error: unknown) => error);

    expect(answered.response.status).toBe(503);
    expect(failed).toBeInstanceOf(TypeError);
    expect(server.sent).toHaveLength(1);
  });

  test('a POST with an Idempotency-Key is retried after a network error', async () => {
    const { server, client } = clientFor((_, index) => (index === 0 ? networkError() : json(201, {})));

    const { response } = await client.POST('/host-connections', { body: { host_organization_id: OTHER_ORG } });

    expect(response.status).toBe(201);
    expect(server.sent).toHaveLength(2);
  });
});

describe('Retry-After', () => {
  test('delay-seconds are waited out before the next attempt', async () => {
    vi.useFakeTimers();
    const { server, client } = clientFor(
      (_, index) => (index === 0 ? problem(429, 'internal_error', { 'Retry-After': '2' }) : json(200, organization)),
      {
        ...fast,
        maxDelayMs: 10_000,
      },
    );

    const call = getOrganization(client);
    await vi.advanceTimersByTimeAsync(1999);
    expect(server.sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);

    expect((await call).data?.id).toBe(ORG);
    expect(server.sent).toHaveLength(2);
  });

  test('an HTTP-date is waited out before the next attempt', async () => {
    vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
    const retryAt = 'Tue, 01 Jan 2030 00:00:03 GMT';
    const { server, client } = clientFor(
      (_, index) =>
        index === 0 ? problem(503, 'service_unavailable', { 'Retry-After': retryAt }) : json(200, organization),
      {
        ...fast,
        maxDelayMs: 10_000,
      },
    );

    const call = getOrganization(client);
    await vi.advanceTimersByTimeAsync(2999);
    expect(server.sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);

    expect((await call).data?.id).toBe(ORG);
  });

  test('a Retry-After longer than maxDelayMs goes back to the caller unretried', async () => {
    const { server, client } = clientFor(() => problem(429, 'internal_error', { 'Retry-After': '120' }), {
      ...fast,
      maxDelayMs: 1000,
    });

    const { response } = await getOrganization(client);

    expect(response.status).toBe(429);
    expect(response.headers.get('Retry-After')).toBe('120');
    expect(server.sent).toHaveLength(1);
  });

  test.each([
    ['0', 0],
    ['7', 7000],
    [' 3 ', 3000],
    ['Tue, 01 Jan 2030 00:00:05 GMT', 5000],
    ['Mon, 31 Dec 2029 23:00:00 GMT', 0],
    ['soon', undefined],
    ['-1', undefined],
  ])('Retry-After %j is %s ms', (value, expected) => {
    expect(retryAfterMs(value, Date.parse('2030-01-01T00:00:00Z'))).toBe(expected);
  });
});

describe('cancellation', () => {
  test('aborting during an attempt ends it, with no retry', async () => {
    const controller = new AbortController();
    const { server, client } = clientFor((request) => {
      controller.abort();
      return hang(request);
    });

    await expect(getOrganization(client, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(server.sent).toHaveLength(1);
  });

  test('aborting during a backoff wait ends the wait, with no further attempt', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const { server, client } = clientFor(() => problem(503, 'service_unavailable', { 'Retry-After': '5' }), {
      ...fast,
      maxDelayMs: 10_000,
    });

    const call = getOrganization(client, controller.signal);
    const outcome = call.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(1000);
    controller.abort();
    await vi.advanceTimersByTimeAsync(10_000);

    expect(await outcome).toMatchObject({ name: 'AbortError' });
    expect(server.sent).toHaveLength(1);
  });

  test('an already aborted signal sends nothing', async () => {
    const { server, client } = clientFor(() => json(200, organization));

    await expect(getOrganization(client, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
    expect(server.sent).toHaveLength(0);
  });
});
