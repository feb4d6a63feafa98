// Which cached reads a successful mutation can have changed, derived from the operation table
// (generated/operations.ts): no list of query keys is written by hand. The rule, for a mutation
// `METHOD /path`:
//   1. Same resource: every GET whose first path segment ends with the same noun, e.g.
//      `host-connections` and `guest-connections` are the two sides of one connection, so either
//      side's mutations reach both; `guest-invitations` only reaches itself.
//   2. Same record: a path parameter the GET shares by name with the mutation must have the value
//      the mutation was called with (PATCH /host-connections/{A} leaves /host-connections/{B}
//      alone); parameters only the GET has match any value (a list, another side's records).
import { routes } from '../../generated/operations.js';

type Route = (typeof routes)[keyof typeof routes];

const nounOf = (path: string): string => path.split('/')[1]?.split('-').at(-1) ?? '';
const parametersOf = (path: string): string[] => [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] ?? '');

const reads = Object.values(routes).filter((route: Route) => route.method === 'get');

/** The GET path templates a successful `method path` can have changed, in table order. */
export function invalidatedReads(method: string, path: string): string[] {
  if (method.toLowerCase() === 'get') return [];
  return reads.filter((read) => nounOf(read.path) === nounOf(path)).map((read) => read.path);
}

type PathValues = Record<string, unknown> | undefined;

/**
 * A predicate over openapi-react-query keys (`['get', path, init?]`) for
 * `queryClient.invalidateQueries({ predicate })`: true for the reads `method path`, called with
 * `pathValues`, can have changed.
 */
export function invalidates(
  method: string,
  path: string,
  pathValues: PathValues,
): (query: { queryKey: readonly unknown[] }) => boolean {
  const templates = new Set(invalidatedReads(method, path));
  const bound = parametersOf(path);
  return ({ queryKey: [keyMethod, keyPath, init] }) => {
    if (keyMethod !== 'get' || typeof keyPath !== 'string' || !templates.has(keyPath)) return false;
    const values = (init as { params?: { path?: PathValues } } | undefined)?.params?.path;
    return bound.every((name) => !parametersOf(keyPath).includes(name) || values?.[name] === pathValues?.[name]);
  };
}
