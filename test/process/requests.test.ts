// A running server's requests: the line it prints for each, and the one still in flight when
// SIGTERM arrives. Both use one server (one PGlite start); the shutdown test comes last.
import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  demoOrganization,
  getOwnOrganization,
  killRunningServers,
  lines,
  startServer,
  type Credentials,
  type RunningServer,
} from './server-process.js';

let dataDir: string | undefined;
let server: RunningServer;
let guest: Credentials;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'connections-process-'));
  server = await startServer({ DATA_DIR: dataDir });
  guest = demoOrganization(server.process.stdout(), 'guest');
});

afterAll(async () => {
  await killRunningServers();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

function parseLine(line: string): Record<string, unknown> {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error(`a line on stdout is not JSON: ${line}`);
  }
}

describe('the server process', () => {
  it('prints one JSON line per request, with neither the bearer token nor the client secret', async () => {
    const printedBefore = server.process.stdout().length;
    const tokenUrl = `${server.url}/v1/oauth2/token`;
    const json = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'log-token-json' },
      body: JSON.stringify({ client_id: guest.client_id, client_secret: guest.client_secret }),
    });
    const form = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'X-Request-Id': 'log-token-form' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: guest.client_id,
        client_secret: guest.client_secret,
      }),
    });
    const { access_token: token } = (await json.json()) as { access_token: string };
    const secured = await getOwnOrganization(server.url, guest.organization_id, token, 'log-secured');
    const forged = await getOwnOrganization(server.url, guest.organization_id, `${token}x`, 'log-forged');
    const unrouted = await fetch(`${server.url}/v1/nowhere`);
    const responses = [json, form, secured, forged, unrouted];
    const requestIds = responses.map((response) => response.headers.get('x-request-id'));

    // The line is written before the response is sent; waiting for the last one's id is only
    // waiting for the pipe.
    await server.process.waitFor('stdout', new RegExp(`"request_id":"${requestIds.at(-1)}"`));
    const printed = lines(server.process.stdout().slice(printedBefore));
    const entries = printed.map(parseLine);
    expect(entries.map(({ method, route, status, request_id }) => ({ method, route, status, request_id }))).toEqual([
      { method: 'POST', route: '/v1/oauth2/token', status: 200, request_id: 'log-token-json' },
      { method: 'POST', route: '/v1/oauth2/token', status: 200, request_id: 'log-token-form' },
      { method: 'GET', route: '/v1/organizations/{org_id}', status: 200, request_id: 'log-secured' },
      { method: 'GET', route: '/v1/organizations/{org_id}', status: 401, request_id: 'log-forged' },
      { method: 'GET', route: null, status: 404, request_id: requestIds.at(-1) },
    ]);
    for (const entry of entries) expect(entry.duration_ms).toEqual(expect.any(Number));
    expect(requestIds.at(-1)).toMatch(/^[0-9a-f-]{36}$/);

    const logged = printed.join('\n');
    expect(token.length).toBeGreaterThan(0);
    expect(logged).not.toContain(token);
    expect(logged).not.toContain(guest.client_secret);
  });

  it('answers a request in flight when SIGTERM arrives, then exits 0', async () => {
    const body = JSON.stringify({ client_id: guest.client_id, client_secret: guest.client_secret });
    const half = Math.floor(body.length / 2);
    const request = httpRequest(`${server.url}/v1/oauth2/token`, {
      method: 'POST',
      agent: false,
      // The server answers `100 Continue` only once it has read the headers and started the
      // request: from then on the request is in flight, and stays so until its body ends.
      headers: {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
        Expect: '100-continue',
      },
    });
    const answered = once(request, 'response') as Promise<[IncomingMessage]>;
    const continued = once(request, 'continue');
    request.flushHeaders();
    await continued;
    request.write(body.slice(0, half));

    const exited = server.process.signal('SIGTERM');
    await server.process.waitFor('stderr', /SIGTERM, finishing requests in flight/);
    request.end(body.slice(half));

    const [response] = await answered;
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(Buffer.concat(chunks).toString('utf8'))).toMatchObject({
      access_token: expect.any(String),
      token_type: 'Bearer',
    });
    expect(await exited).toEqual({ code: 0, signal: null });
  });
});
