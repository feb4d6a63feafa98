import type { Middleware } from 'openapi-fetch';
import { HEADERS, routeOf } from './routes.js';

/**
 * Gives each call of an operation that takes an `Idempotency-Key` (the contract says which) a
 * random one unless the caller chose one. It is set before the retry layer sees the request,
 * so every retry carries the same key and the server answers a retry after a lost response
 * from its idempotency record instead of acting twice.
 */
export const idempotencyKeys: Middleware = {
  onRequest({ request, schemaPath }) {
    if (routeOf(request.method, schemaPath)?.idempotencyKey !== true || request.headers.has(HEADERS.idempotencyKey))
      return undefined;
    request.headers.set(HEADERS.idempotencyKey, globalThis.crypto.randomUUID());
    return request;
  },
};
