import type { Middleware } from 'openapi-fetch';

/** Unsafe operations whose contract takes an `Idempotency-Key` (only `createHostConnection` today). */
const KEYED_POSTS: ReadonlySet<string> = new Set(['/host-connections']);

/**
 * Gives each keyed POST a random `Idempotency-Key` unless the caller chose one. It is set before
 * the retry layer sees the request, so every retry carries the same key and the server answers
 * a retry after a lost response from its idempotency record instead of acting twice.
 */
export const idempotencyKeys: Middleware = {
  onRequest({ request, schemaPath }) {
    if (request.method !== 'POST' || !KEYED_POSTS.has(schemaPath) || request.headers.has('Idempotency-Key')) return undefined;
    request.headers.set('Idempotency-Key', globalThis.crypto.randomUUID());
    return request;
  },
};
