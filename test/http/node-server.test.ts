// The Node server's limits, on a trivial app (the process test proves main.ts applies them
// from the environment): the connection cap, the keep-alive timeout, and their configuration.
import { once } from 'node:events';
import type { Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadHttpLimits } from '../../server/config.js';
import { DEFAULT_HTTP_LIMITS, createNodeServer, type HttpLimits } from '../../server/http/node-server.js';

let server: Server | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  if (server !== undefined) await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

async function start(limits: Partial<HttpLimits>): Promise<number> {
  server = createNodeServer(() => new Response('ok'), { ...DEFAULT_HTTP_LIMITS, ...limits });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** A connection that sends one request and resolves with what it read until it was closed. */
function requestOn(socket: Socket): Promise<string> {
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  socket.on('error', () => {});
  socket.write('GET / HTTP/1.1\r\nHost: test\r\n\r\n');
  return new Promise((resolve) => socket.on('close', () => resolve(text)));
}

describe('the Node server', () => {
  it('closes connections over HTTP_MAX_CONNECTIONS on arrival, and serves the others', async () => {
    const port = await start({ maxConnections: 2 });
    const held = [connect(port, '127.0.0.1'), connect(port, '127.0.0.1')];
    sockets.push(...held);
    await Promise.all(held.map((socket) => once(socket, 'connect')));
    // Let the server accept both before the third arrives.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const extra = connect(port, '127.0.0.1');
    sockets.push(extra);
    expect(await requestOn(extra)).toBe('');
    const [first] = held;
    if (first === undefined) throw new Error('no socket');
    first.write('GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n');
    let answer = '';
    first.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    await once(first, 'close');
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('closes an idle keep-alive connection after HTTP_KEEP_ALIVE_TIMEOUT_MS', async () => {
    const port = await start({ keepAliveTimeoutMs: 200 });
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    const started = Date.now();
    const text = await requestOn(socket);
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    // Well before Node's default of 5 s.
    expect(Date.now() - started).toBeLessThan(2500);
  });
});

describe('HTTP_* configuration', () => {
  it('has defaults, reads every variable, and refuses what Node would misread', () => {
    expect(loadHttpLimits({})).toEqual(DEFAULT_HTTP_LIMITS);
    expect(
      loadHttpLimits({
        HTTP_MAX_HEADER_BYTES: '8192',
        HTTP_HEADERS_TIMEOUT_MS: '2000',
        HTTP_REQUEST_TIMEOUT_MS: '4000',
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
        HTTP_MAX_REQUESTS_PER_SOCKET: '0',
        HTTP_MAX_CONNECTIONS: '0',
      }),
    ).toEqual({
      maxHeaderBytes: 8192,
      headersTimeoutMs: 2000,
      requestTimeoutMs: 4000,
      keepAliveTimeoutMs: 1000,
      maxRequestsPerSocket: 0,
      maxConnections: 0,
    });
    for (const env of [
      { HTTP_HEADERS_TIMEOUT_MS: '0' },
      { HTTP_KEEP_ALIVE_TIMEOUT_MS: '0' },
      { HTTP_MAX_HEADER_BYTES: '10' },
      { HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_REQUEST_TIMEOUT_MS: '4000' },
      { HTTP_MAX_CONNECTIONS: '-1' },
    ]) {
      expect(() => loadHttpLimits(env), JSON.stringify(env)).toThrow(ConfigError);
    }
  });
});
