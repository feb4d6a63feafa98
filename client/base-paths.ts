import type { Middleware } from 'openapi-fetch';
import { API_BASE_PATH, routeOf } from './routes.js';

/**
 * Sends an operation that lives under another base path than the API's (the probes, at the
 * root of the origin) there: the client's `baseUrl` ends with the API's base path, or is the
 * root of a Prism mock, which serves every path at its root.
 */
export const routeBasePaths: Middleware = {
  onRequest({ request, schemaPath }) {
    const route = routeOf(request.method, schemaPath);
    if (route === undefined || route.basePath === API_BASE_PATH) return undefined;
    const url = new URL(request.url);
    const prefix = url.pathname.slice(0, url.pathname.length - schemaPath.length);
    const root = prefix.endsWith(API_BASE_PATH) ? prefix.slice(0, prefix.length - API_BASE_PATH.length) : prefix;
    const rebased = new URL(root + route.basePath + schemaPath + url.search, url.origin);
    return rebased.href === url.href ? undefined : new Request(rebased, request);
  },
};
