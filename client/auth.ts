import type { Middleware } from 'openapi-fetch';
import { isSecured } from './routes.js';
import { abortable, type Transport } from './transport.js';

/** Where bearer tokens come from: a fixed string, the caller's function, or client credentials. */
export interface TokenSource {
  /** A token to send now. */
  current(): Promise<string>;
  /** A token to use instead of `rejected` after a 401, or undefined when there is none to try. */
  refresh(rejected: string): Promise<string | undefined>;
}

/** A caller-supplied token: a string, or a function called before each request (e.g. a browser's auth SDK). */
export type TokenOption = string | (() => string | Promise<string>);

export function tokenFromOption(option: TokenOption): TokenSource {
  if (typeof option === 'string') return { current: async () => option, refresh: async () => undefined };
  return {
    current: async () => option(),
    // Ask once more: the caller's provider may have renewed its token meanwhile.
    refresh: async (rejected) => {
      const next = await option();
      return next === rejected ? undefined : next;
    },
  };
}

/** Sets `Authorization: Bearer …` on every secured call the caller did not authorize itself. */
export function bearerAuth(tokens: TokenSource): Middleware {
  return {
    async onRequest({ request, schemaPath }) {
      if (!isSecured(request.method, schemaPath) || request.headers.has('Authorization')) return undefined;
      const token = await abortable(tokens.current(), request.signal);
      request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
  };
}

/**
 * On a 401 to a bearer request, gets a fresh token once and sends the request once more. A second
 * 401 goes back to the caller: no loop.
 */
export function withTokenRefresh(next: Transport, tokens: TokenSource): Transport {
  return async (request) => {
    const sent = request.headers.get('Authorization')?.match(/^Bearer (.+)$/)?.[1];
    if (sent === undefined) return next(request);
    const again = request.clone();
    const response = await next(request);
    if (response.status !== 401) return response;
    const fresh = await abortable(tokens.refresh(sent), request.signal);
    if (fresh === undefined) return response;
    await response.body?.cancel();
    again.headers.set('Authorization', `Bearer ${fresh}`);
    return next(again);
  };
}
