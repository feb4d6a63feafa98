import type { Client, MaybeOptionalInit } from 'openapi-fetch';
import { ConnectionsApiError, isProblem } from './problem.js';
import type { ClientPaths } from './types.js';

type GetPath = { [P in keyof ClientPaths]: ClientPaths[P] extends { get: unknown } ? P : never }[keyof ClientPaths];
type OkBody<P extends GetPath> = ClientPaths[P]['get'] extends {
  responses: { 200: { content: { 'application/json': infer B } } };
}
  ? B
  : never;

/** Every GET whose 200 body is a `{ items, total_items }` page, read from the contract. */
export type ListPath = {
  [P in GetPath]: OkBody<P> extends { items: unknown[]; total_items: number } ? P : never;
}[GetPath];

/** The item type of a list operation, e.g. `HostConnection` for `/host-connections`. */
export type ListItem<P extends ListPath> = OkBody<P> extends { items: (infer Item)[] } ? Item : never;

/** The GET's own init (params, signal, …); the required ones stay required. */
export type PageInit<P extends ListPath> = MaybeOptionalInit<ClientPaths[P], 'get'>;
type PageInitArgs<P extends ListPath> = undefined extends PageInit<P> ? [init?: PageInit<P>] : [init: PageInit<P>];

export type Paginate = <P extends ListPath>(
  path: P,
  ...init: PageInitArgs<P>
) => AsyncGenerator<ListItem<P>, void, undefined>;

/** The one view of the list operations the loop needs; the public `Paginate` signature keeps each one typed. */
interface LoosePageInit {
  params?: { query?: { offset?: number } };
}
type LooseGet = (
  path: string,
  init: LoosePageInit,
) => Promise<{ data?: { items: unknown[]; total_items: number }; error?: unknown; response: Response }>;

/**
 * Walks a list page by page from the given `offset` (default 0), with the given `limit` as the page
 * size (default: the server's), until `total_items` are seen. A failed page throws
 * `ConnectionsApiError`; the init's `signal` cancels the walk.
 */
export function createPaginate(client: Client<ClientPaths>): Paginate {
  const get = client.GET as unknown as LooseGet;
  return async function* paginate<P extends ListPath>(path: P, ...[init]: PageInitArgs<P>) {
    const loose: LoosePageInit = init ?? {};
    let offset = loose.params?.query?.offset ?? 0;
    for (;;) {
      const { data, error, response } = await get(path, {
        ...loose,
        params: { ...loose.params, query: { ...loose.params?.query, offset } },
      });
      if (data === undefined)
        throw new ConnectionsApiError(response.status, isProblem(error) ? error : undefined, `GET ${path} failed`);
      yield* data.items as ListItem<P>[];
      offset += data.items.length;
      // An empty page ends the walk too: the list may have shrunk since total_items was counted.
      if (data.items.length === 0 || offset >= data.total_items) return;
    }
  };
}
