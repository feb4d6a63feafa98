// Requests only a raw socket can send, against the app behind the real Node server: a client
// that hangs up mid-body, a repeated Host header, dot segments in the path; and the security
// headers every answer carries, the app's and the Node server's own.
import { once } from 'node:events';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../server/app.js';
import { DEFAULT_HTTP_LIMITS, createNodeServer } from '../../server/http/node-server.js';
import { TEST_JWT_SECRET, createTestApp } from '../support/app.js';
import { parsePrometheusText, samplesOf } from '../support/prometheus.js';

let app: App;
let server: Server;
let port: number;
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  const { store } = await createTestApp('pglite');
  app = createApp({ store, jwtSecret: TEST_JWT_SECRET, validateResponses: true, log: (line) => lines.push(line) });
  server = createNodeServer(app.fetch, DEFAULT_HTTP_LIMITS);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Sends `request` byte for byte and reads until the server closes: status, headers and body. */
async function exchange(request: string): Promise<{ status: number; headers: Headers; body: string }> {
  const raw = await new Promise<string>((resolve, reject) => {
    let text = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(request, 'latin1'));
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
  });
  const split = raw.indexOf('\r\n\r\n');
  const [statusLine = '', ...headerLines] = raw.slice(0, split).split('\r\n');
  const headers = new Headers();
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: raw.slice(split + 4) };
}

const get = (path: string, extra = '') =>
  exchange(`GET ${path} HTTP/1.1\r\nHost: test\r\n${extra}Connection: close\r\n\r\n`);

async function requestCount(operation: string, status: string): Promise<number> {
  const families = parsePrometheusText(await (await app.request('/metrics')).text());
  return samplesOf(families, 'http_request_duration_seconds_count', { operation, status })[0]?.value ?? 0;
}

describe('a client that closes the connection mid-body', () => {
  it('is logged at info as client_closed without a stack, counted as 499, never as a 503', async () => {
    lines.length = 0;
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      'POST /v1/oauth2/token HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"client_i',
    );
    // Let the app start reading the body, then hang up.
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.destroy();
    await expect.poll(() => lines.filter((line) => 'status' in line).length, { timeout: 5_000 }).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 200)); // any late line would show now

    expect(lines.filter((line) => line.level === 'error')).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'info', message: 'client_closed', status: 499, route: '/v1/oauth2/token' });
    expect(JSON.stringify(lines)).not.toMatch(/stack|abortIncoming/);
    expect(await requestCount('createToken', '499')).toBe(1);
    expect(await requestCount('createToken', '503')).toBe(0);
  });
});

describe('refused before the app', () => {
  it('answers 400 malformed_request to more than one Host header', async () => {
    const answer = await get('/healthz', 'Host: other\r\n');
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'malformed_request', status: 400 });
    // One Host is fine.
    expect((await get('/healthz')).status).toBe(200);
  });

  it.each([
    '/docs/../metrics',
    '/docs/./../metrics',
    '/docs/%2e%2e/metrics',
    '/docs/%2E%2E/metrics',
    '/docs/.%2e/metrics',
    '/docs/%2e./metrics',
    '/./metrics',
    '/docs/..\\metrics',
    '/v1/organizations/../../metrics?x=1',
    '/docs/..',
    'http://test/docs/../metrics',
  ])('answers 404 route_not_found to the dot segments of %s, never the metrics', async (path) => {
    const answer = await get(path);
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'route_not_found', status: 404 });
    expect(answer.body).not.toContain('http_request_duration_seconds');
  });

  it('still serves a path whose segments merely contain dots', async () => {
    expect((await get('/metrics')).status).toBe(200);
    expect((await get('/docs/scalar.js')).status).toBe(200);
    // Not a dot segment: no route, the app's own 404.
    const dotted = await get('/v1/organizations/..x/nothing');
    expect(dotted.status).toBe(404);
  });
});

describe('security headers', () => {
  const strict = "default-src 'none'; frame-ancestors 'none'";

  it.each([
    ['an operation', '/healthz', 200],
    ['an API error', '/v1/organizations/00000000-0000-4000-8000-000000000000', 401],
    ['no route', '/nothing', 404],
    ['the metrics', '/metrics', 200],
    ['the contract', '/openapi.json', 200],
    ['the script of the reference', '/docs/scalar.js', 200],
  ])('%s answers with nosniff, DENY and a policy that allows nothing', async (_, path, status) => {
    const answer = await get(path);
    expect(answer.status).toBe(status);
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('x-frame-options')).toBe('DENY');
    expect(answer.headers.get('content-security-policy')).toBe(strict);
  });

  it('the reference page has its own policy: this server only, its one inline script by hash, no framing', async () => {
    const answer = await get('/docs');
    expect(answer.status).toBe(200);
    const policy = answer.headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/^default-src 'self';/);
    expect(policy).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/]+=*';/);
    expect(policy).toMatch(/frame-ancestors 'none'$/);
    expect(policy).not.toMatch(/unsafe-inline'?;?\s*$|script-src[^;]*unsafe|https?:|\*/);
    expect(answer.headers.get('x-frame-options')).toBe('DENY');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers refused before the app carry them too', async () => {
    for (const answer of [
      await get('/healthz', 'Host: other\r\n'),
      await get('/docs/../metrics'),
      await get('/healthz', `X-Padding: ${'a'.repeat(20 * 1024)}\r\n`),
    ]) {
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('x-frame-options')).toBe('DENY');
      expect(answer.headers.get('content-security-policy')).toBe(strict);
    }
  });
});
