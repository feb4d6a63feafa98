import type { Middleware } from 'openapi-fetch';
import { PROBE_PATHS } from './routes.js';

/** Sends `/healthz` and `/readyz` to the root of the base URL's origin, where the contract puts them (outside `/v1`). */
export const probesAtRoot: Middleware = {
  onRequest({ request, schemaPath }) {
    if (!PROBE_PATHS.has(schemaPath)) return undefined;
    const url = new URL(request.url);
    const rooted = new URL(schemaPath + url.search, url.origin);
    return rooted.href === url.href ? undefined : new Request(rooted, request);
  },
};
