// `connections-api-client/react`: TanStack Query v5 hooks for the client. Needs `react` and
// `@tanstack/react-query` (optional peer dependencies: the plain client does without them).
export {
  createConnectionsHooks,
  type ConnectionsHooks,
  type ListInfiniteOptions,
  type ListPage,
  type UseListInfiniteQuery,
} from './hooks.js';
export { invalidatedReads } from './invalidation.js';
