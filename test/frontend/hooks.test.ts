// @vitest-environment jsdom
// connections-api-client/react against the MSW handlers: queries typed from the paths, problems
// as the contract's Problem, lists paged to total_items, and mutations that invalidate exactly the
// cached reads the operation table relates them to (watched in the query cache).
import type { QueryClient } from '@tanstack/react-query';
import { setupServer } from 'msw/node';
import { act } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createConnectionsClient } from '../../client/index.js';
import { connectionsHandlers, createConnectionsHttp } from '../../client/msw/index.js';
import { createConnectionsHooks, invalidatedReads } from '../../client/react/index.js';
import { responseExamples } from '../../generated/examples.js';
import { routes } from '../../generated/operations.js';
import { renderHook, testQueryClient, waitFor } from './render.js';

const BASE_URL = 'http://api.hooks.test/v1';
const ME = '9b2e7c4d-1f3a-4e5b-8c6d-7e8f9a0b1c2d';
const HOST_A = '3c90c3cc-0d44-4b50-8888-8dd25736052a';
const HOST_B = '7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a';
const ACTION = '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b';
const server = setupServer(...connectionsHandlers({ baseUrl: BASE_URL }));
const client = createConnectionsClient({ baseUrl: BASE_URL, requesterOrganizationId: ME, token: 'mock-token' });
const hooks = createConnectionsHooks(client);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('createConnectionsHooks', () => {
  it('useQuery answers the typed body of the path', async () => {
    const cache = testQueryClient();
    const result = await renderHook(
      () => hooks.useQuery('get', '/host-connections', { params: { query: { statuses: ['connected'] } } }),
      cache,
    );
    await waitFor(() => expect(result.current.isSuccess).toBe(true));
    expect(result.current.data?.items[0]?.host_name).toBe(
      responseExamples.listHostConnections['200'].example.items[0].host_name,
    );
    await result.unmount();
  });

  it('hands a problem over as the typed Problem, with its code and detail', async () => {
    server.use(...connectionsHandlers({ baseUrl: BASE_URL, prefer: { getHostConnection: { code: 404 } } }));
    const result = await renderHook(
      () => hooks.useQuery('get', '/host-connections/{host_org_id}', { params: { path: { host_org_id: HOST_A } } }),
      testQueryClient(),
    );
    await waitFor(() => expect(result.current.isError).toBe(true));
    expect(result.current.error).toEqual(responseExamples.getHostConnection['404'].examples.host_connection_not_found);
    expect(result.current.error?.code).toBe('host_connection_not_found');
    await result.unmount();
  });

  it('useInfiniteQuery pages a list by limit/offset until total_items', async () => {
    const [item] = responseExamples.listHostConnections['200'].example.items;
    const all = Array.from({ length: 5 }, (_, i) => ({ ...item, host_name: `Host ${i}` }));
    const offsets: number[] = [];
    server.use(
      createConnectionsHttp(BASE_URL).get('/host-connections', ({ query, response }) => {
        const offset = Number(query.get('offset'));
        offsets.push(offset);
        return response(200).json({
          items: all.slice(offset, offset + Number(query.get('limit'))),
          total_items: all.length,
        });
      }),
    );
    const result = await renderHook(
      () => hooks.useInfiniteQuery('/host-connections', { params: { query: { statuses: ['connected'], limit: 2 } } }),
      testQueryClient(),
    );
    await waitFor(() => expect(result.current.isSuccess).toBe(true));
    while (result.current.hasNextPage) {
      await act(() => result.current.fetchNextPage());
    }
    expect(result.current.data?.pages.flatMap((page) => page.items.map((host) => host.host_name))).toEqual(
      all.map((host) => host.host_name),
    );
    expect(offsets).toEqual([0, 2, 4]);
    await result.unmount();
  });
});

describe('invalidation after a successful mutation', () => {
  /** Reads cached before the mutation: both sides' lists and records, actions, invitations, the organization. */
  const cached = [
    hooks.queryOptions('get', '/host-connections', { params: { query: { statuses: ['connected'] } } }),
    hooks.queryOptions('get', '/host-connections/{host_org_id}', { params: { path: { host_org_id: HOST_A } } }),
    hooks.queryOptions('get', '/host-connections/{host_org_id}', { params: { path: { host_org_id: HOST_B } } }),
    hooks.queryOptions('get', '/host-connections/{host_org_id}/actions', { params: { path: { host_org_id: HOST_A } } }),
    hooks.queryOptions('get', '/host-connections/{host_org_id}/actions', { params: { path: { host_org_id: HOST_B } } }),
    hooks.queryOptions('get', '/guest-connections', { params: { query: { statuses: ['connected'] } } }),
    hooks.queryOptions('get', '/guest-connections/{guest_org_id}', { params: { path: { guest_org_id: HOST_B } } }),
    hooks.queryOptions('get', '/guest-invitations'),
    hooks.queryOptions('get', '/organizations/{org_id}', { params: { path: { org_id: ME } } }),
  ].map((options) => options.queryKey);

  function seededCache(): QueryClient {
    const cache = testQueryClient();
    for (const key of cached) cache.setQueryData(key, {});
    return cache;
  }

  /** The cached reads marked stale, as `path` with the record's path parameters. */
  const invalidated = (cache: QueryClient): string[] =>
    cache
      .getQueryCache()
      .getAll()
      .filter((query) => query.state.isInvalidated)
      .map((query) => {
        const [, path, init] = query.queryKey as [string, string, { params?: { path?: Record<string, string> } }?];
        return Object.entries(init?.params?.path ?? {}).reduce(
          (p, [name, value]) => p.replace(`{${name}}`, value),
          path,
        );
      });

  it('POST /host-connections: both connection lists and every connection read, nothing else', async () => {
    const cache = seededCache();
    const result = await renderHook(() => hooks.useMutation('post', '/host-connections'), cache);
    await act(() => result.current.mutateAsync({ body: { host_organization_id: HOST_A, invitation_token: null } }));
    expect(invalidated(cache)).toEqual([
      '/host-connections',
      `/host-connections/${HOST_A}`,
      `/host-connections/${HOST_B}`,
      `/host-connections/${HOST_A}/actions`,
      `/host-connections/${HOST_B}/actions`,
      '/guest-connections',
      `/guest-connections/${HOST_B}`,
    ]);
    await result.unmount();
  });

  it("resolving an action: its connection's lists and reads, and only that connection's", async () => {
    const cache = seededCache();
    const calls: unknown[] = [];
    const result = await renderHook(
      () =>
        hooks.useMutation('post', '/host-connections/{host_org_id}/actions/{action_id}/resolution', {
          onSuccess: (data) => void calls.push(data),
        }),
      cache,
    );
    await act(() =>
      result.current.mutateAsync({
        params: { path: { host_org_id: HOST_A, action_id: ACTION } },
      }),
    );
    expect(invalidated(cache)).toEqual([
      '/host-connections',
      `/host-connections/${HOST_A}`,
      `/host-connections/${HOST_A}/actions`,
      '/guest-connections',
      `/guest-connections/${HOST_B}`,
    ]);
    // The caller's own onSuccess still runs, after the invalidation.
    expect(calls).toHaveLength(1);
    await result.unmount();
  });

  it('a failed mutation invalidates nothing', async () => {
    server.use(...connectionsHandlers({ baseUrl: BASE_URL, prefer: { updateGuestInvitation: { code: 404 } } }));
    const cache = seededCache();
    const result = await renderHook(() => hooks.useMutation('patch', '/guest-invitations/{invitation_id}'), cache);
    await act(() =>
      result.current
        .mutateAsync({ params: { path: { invitation_id: ACTION } }, body: { archived: true } })
        .catch(() => {}),
    );
    expect(result.current.error?.code).toBe('invitation_not_found');
    expect(invalidated(cache)).toEqual([]);
    await result.unmount();
  });

  it('relates every mutation of the table to the reads of its resource', () => {
    const mutations = Object.values(routes).filter((route) => route.method !== 'get');
    expect(
      Object.fromEntries(
        mutations.map((route) => [`${route.method} ${route.path}`, invalidatedReads(route.method, route.path)]),
      ),
    ).toEqual({
      'post /oauth2/token': [],
      'post /guest-invitations': ['/guest-invitations', '/guest-invitations/{invitation_id}'],
      'patch /guest-invitations/{invitation_id}': ['/guest-invitations', '/guest-invitations/{invitation_id}'],
      ...Object.fromEntries(
        [
          'post /host-connections',
          'patch /host-connections/{host_org_id}',
          'post /host-connections/{host_org_id}/actions/{action_id}/resolution',
          'patch /guest-connections/{guest_org_id}',
          'post /guest-connections/{guest_org_id}/actions',
        ].map((mutation) => [
          mutation,
          [
            '/host-connections',
            '/host-connections/{host_org_id}',
            '/host-connections/{host_org_id}/actions',
            '/guest-connections',
            '/guest-connections/{guest_org_id}',
            '/guest-connections/{guest_org_id}/actions',
          ],
        ]),
      ),
      ...Object.fromEntries(
        [
          'post /webhook-endpoints',
          'patch /webhook-endpoints/{endpoint_id}',
          'delete /webhook-endpoints/{endpoint_id}',
          'post /webhook-endpoints/{endpoint_id}/secret-rotations',
          'post /webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/retries',
        ].map((mutation) => [
          mutation,
          ['/webhook-endpoints', '/webhook-endpoints/{endpoint_id}', '/webhook-endpoints/{endpoint_id}/deliveries'],
        ]),
      ),
    });
  });
});
