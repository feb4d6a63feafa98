// A request's headers from Node's raw list (server/http/headers.ts) mean what fetch's Headers
// make of them: names in any case, repeated values joined, pseudo-headers left out.
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { requestHeader, requestHeaders } from '../../server/http/headers.js';

const rawHeaders = ['Authorization', 'Bearer a', 'X-Thing', 'one', 'x-thing', 'two', ':path', '/v1', 'Host', 'h'];

async function read(env: unknown): Promise<unknown> {
  const app = new Hono();
  app.get('/', (c) =>
    c.json({
      all: requestHeaders(c),
      authorization: requestHeader(c, 'AUTHORIZATION'),
      thing: requestHeader(c, 'x-thing'),
    }),
  );
  const request = new Request('http://h/', {
    headers: [
      ['authorization', 'Bearer a'],
      ['x-thing', 'one'],
      ['x-thing', 'two'],
    ],
  });
  return (await app.fetch(request, env)).json();
}

describe('requestHeaders', () => {
  it("reads Node's raw headers as fetch's Headers would, and the Request without them", async () => {
    const fromNode = await read({ incoming: { rawHeaders } });
    expect(fromNode).toEqual({
      all: { authorization: 'Bearer a', 'x-thing': 'one, two', host: 'h' },
      authorization: 'Bearer a',
      thing: 'one, two',
    });
    expect(await read(undefined)).toEqual({
      all: { authorization: 'Bearer a', 'x-thing': 'one, two' },
      authorization: 'Bearer a',
      thing: 'one, two',
    });
  });
});
