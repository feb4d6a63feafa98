// A request's headers as a plain record, read on @hono/node-server from Node's raw list: the
// fetch `Headers` object (and the `Request` around it) that `c.req.header()` builds first cost
// more than the few reads a request makes. Same meaning as `Headers`: names lower-cased, a
// repeated header's values joined by ", ", HTTP/2 pseudo-headers left out. Without Node's
// request (`app.request()` in tests), from the fetch Request.
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

const records = new WeakMap<Context, Record<string, string>>();

export function requestHeaders(c: Context): Record<string, string> {
  const known = records.get(c);
  if (known !== undefined) return known;
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  let headers: Record<string, string>;
  if (incoming === undefined) {
    headers = Object.fromEntries(c.req.raw.headers);
  } else {
    const values = new Map<string, string>();
    const raw = incoming.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = (raw[i] ?? '').toLowerCase();
      const value = raw[i + 1] ?? '';
      if (name.startsWith(':')) continue;
      const before = values.get(name);
      values.set(name, before === undefined ? value : `${before}, ${value}`);
    }
    headers = Object.fromEntries(values);
  }
  records.set(c, headers);
  return headers;
}

/** One header of the request, by name in any case. */
export const requestHeader = (c: Context, name: string): string | undefined => requestHeaders(c)[name.toLowerCase()];
