// Headers every response carries, whatever answers it (an operation, a 404, a problem, a CORS
// preflight): the browser must not guess a media type other than the one sent, nor show any
// answer in a frame of another site. A response of the API is data, so its policy allows
// nothing; the reference page sends a policy of its own that allows exactly what it loads.
import type { MiddlewareHandler } from 'hono';

/** The Content-Security-Policy of every response that sets none: nothing may load, nothing may frame it. */
const DATA_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': DATA_CONTENT_SECURITY_POLICY,
};

/** Responses that carry SECURITY_HEADERS and the request id already (problem.ts, toResponse). */
export const complete = new WeakSet<Response>();

/** Sets each of SECURITY_HEADERS the response does not set itself. */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  if (complete.has(c.res)) return;
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    if (!c.res.headers.has(name)) c.res.headers.set(name, value);
  }
};
