// TanStack Query hooks over a configured client: openapi-react-query's, with a mutation that
// invalidates what it can have changed (./invalidation.ts) and an infinite query that pages the
// contract's lists by limit/offset until `total_items`.
import {
  useQueryClient,
  type InfiniteData,
  type QueryClient,
  type UseInfiniteQueryOptions,
  type UseInfiniteQueryResult,
} from '@tanstack/react-query';
import createQueryHooks, { type OpenapiQueryClient } from 'openapi-react-query';
import type { ConnectionsClient } from '../index.js';
import type { ListItem, ListPath, PageInit } from '../paginate.js';
import type { ClientPaths, Problem } from '../types.js';
import { invalidates } from './invalidation.js';

/** One page of a list as the contract answers it. */
export type ListPage<P extends ListPath> = { items: ListItem<P>[]; total_items: number };

/** TanStack's infinite-query options, less what the hook fills in from the contract. */
export type ListInfiniteOptions<P extends ListPath> = Omit<
  UseInfiniteQueryOptions<ListPage<P>, Problem, InfiniteData<ListPage<P>, number>, readonly unknown[], number>,
  'queryKey' | 'queryFn' | 'initialPageParam' | 'getNextPageParam'
>;

/**
 * Every page of a list: `limit` in the init is the page size, its `offset` (default 0) the first
 * page's, and `hasNextPage` turns false once `total_items` are loaded (or a page comes back empty).
 */
export type UseListInfiniteQuery = <P extends ListPath>(
  path: P,
  init: PageInit<P>,
  options?: ListInfiniteOptions<P>,
  queryClient?: QueryClient,
) => UseInfiniteQueryResult<InfiniteData<ListPage<P>, number>, Problem>;

export type ConnectionsHooks = Omit<OpenapiQueryClient<ClientPaths>, 'useInfiniteQuery'> & {
  useInfiniteQuery: UseListInfiniteQuery;
};

type LooseInit = { params?: { path?: Record<string, unknown>; query?: { offset?: number } } } | undefined;
type LooseInfinite = (
  method: 'get',
  path: string,
  init: LooseInit,
  options: Record<string, unknown>,
  queryClient?: QueryClient,
) => unknown;

type QueryHooks = OpenapiQueryClient<ClientPaths>;
type LooseMutation = (
  method: string,
  path: string,
  options: { onSuccess?: (...args: unknown[]) => unknown } | undefined,
  queryClient?: QueryClient,
) => unknown;

/** openapi-react-query's useMutation, invalidating what the operation can have changed before the caller's onSuccess. */
function useInvalidatingMutation(
  hooks: QueryHooks,
  ...[method, path, options, queryClient]: Parameters<LooseMutation>
): unknown {
  const cache = useQueryClient(queryClient);
  return (hooks.useMutation as unknown as LooseMutation)(
    method,
    path,
    {
      ...options,
      onSuccess: async (...args: unknown[]) => {
        const pathValues = (args[1] as LooseInit)?.params?.path;
        await cache.invalidateQueries({ predicate: invalidates(method, path, pathValues) });
        return options?.onSuccess?.(...args);
      },
    },
    queryClient,
  );
}

/** openapi-react-query's useInfiniteQuery with limit/offset paging to `total_items`. */
function useListPages(
  hooks: QueryHooks,
  path: string,
  init: LooseInit,
  options?: Record<string, unknown>,
  queryClient?: QueryClient,
): unknown {
  const first = init?.params?.query?.offset ?? 0;
  return (hooks.useInfiniteQuery as unknown as LooseInfinite)(
    'get',
    path,
    init,
    {
      ...options,
      pageParamName: 'offset',
      initialPageParam: first,
      getNextPageParam: (last: ListPage<ListPath>, pages: ListPage<ListPath>[]) => {
        const loaded = pages.reduce((count, page) => count + page.items.length, 0);
        return last.items.length === 0 || first + loaded >= last.total_items ? undefined : first + loaded;
      },
    },
    queryClient,
  );
}

/**
 * `useQuery`, `useSuspenseQuery`, `useMutation`, `queryOptions` typed from the contract's paths,
 * and `useInfiniteQuery` for its lists. Errors are the contract's `Problem`. Call it once, at
 * module level, like openapi-react-query's `createClient`.
 */
export function createConnectionsHooks(client: ConnectionsClient): ConnectionsHooks {
  const hooks = createQueryHooks<ClientPaths>(client);
  return {
    ...hooks,
    useMutation: ((...args: Parameters<LooseMutation>) =>
      useInvalidatingMutation(hooks, ...args)) as unknown as ConnectionsHooks['useMutation'],
    useInfiniteQuery: ((path: string, init: LooseInit, options?: Record<string, unknown>, queryClient?: QueryClient) =>
      useListPages(hooks, path, init, options, queryClient)) as unknown as UseListInfiniteQuery,
  };
}
