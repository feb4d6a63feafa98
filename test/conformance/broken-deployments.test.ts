// connections-api-conformance against deployments broken on purpose: the real app behind a
// small proxy that alters five kinds of answers (a list without total_items, a stranger's
// read answered 200, a 201 without Location, a 500 for a refused body, a field of the wrong
// type). The command must exit 1 and name each operation with the check it broke, and only
// those; wrong usage and an unreachable deployment exit 2. The proxy also limits the rate as
// a deployment does (a 429 now and then): the command waits those out, so no check sees one.
// It runs as the documented `npm run -s conformance` of a checkout.
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeServer, DEFAULT_HTTP_LIMITS } from '../../server/http/node-server.js';
import { testAppOn } from '../support/app.js';
import { type CommandRun, runCommand, writeOrganizations } from '../support/conformance-command.js';
import { openTestStore } from '../support/database.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const command = (args: string[]) => runCommand('npm', ['run', '-s', 'conformance', '--', ...args], repo);

type Answer = { status: number; headers: Headers; text: string };

/** The five breaks, each on an operation of its own. */
function broken(method: string, pathname: string, hadBody: boolean, answer: Answer): Answer {
  const json = () => JSON.parse(answer.text) as Record<string, unknown>;
  if (method === 'GET' && pathname === '/v1/guest-connections' && answer.status === 200) {
    const { total_items: _dropped, ...rest } = json();
    return { ...answer, text: JSON.stringify(rest) };
  }
  // A well-formed id only: the scenario check refuses `/organizations/0` before its id is
  // validated, and a stranger with id `0` would break the body schema too, a break of its own.
  const organization = pathname.match(/^\/v1\/organizations\/([0-9a-fA-F-]{36})$/);
  if (method === 'GET' && organization && answer.status === 403 && json().code === 'not_connected') {
    const id = decodeURIComponent(organization[1] ?? '');
    const body = {
      id,
      name: 'Stranger',
      email: 's@example.test',
      owner_email: 'o@example.test',
      created_at: '2026-01-01T00:00:00Z',
    };
    return { status: 200, headers: new Headers({ 'content-type': 'application/json' }), text: JSON.stringify(body) };
  }
  if (method === 'POST' && pathname === '/v1/guest-invitations' && answer.status === 201) {
    const headers = new Headers(answer.headers);
    headers.delete('location');
    return { ...answer, headers };
  }
  if (hadBody && (answer.status === 400 || answer.status === 422)) {
    const problem = {
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'oops',
      errors: [],
      code: 'internal_error',
    };
    return {
      status: 500,
      headers: new Headers({ 'content-type': 'application/problem+json' }),
      text: JSON.stringify(problem),
    };
  }
  if (method === 'GET' && /^\/v1\/guest-connections\/[^/]+$/.test(pathname) && answer.status === 200)
    return { ...answer, text: JSON.stringify({ ...json(), archived: 'no' }) };
  return answer;
}

const HOP_BY_HOP = ['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive'];

// Every this-many-th request is answered as an organization over its budget, before the app.
const RATE_LIMITED_EVERY = 40;
const rateLimited = () =>
  new Response(JSON.stringify({ type: 'about:blank', title: 'Too Many Requests', status: 429, code: 'rate_limited' }), {
    status: 429,
    headers: { 'content-type': 'application/problem+json', 'retry-after': '0' },
  });

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let work: string;
let servers: Server[] = [];
let baseUrl: string;
let organizationsFile: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'connections-conformance-'));
  const t = testAppOn(await openTestStore('pglite'));
  const real = createNodeServer((request) => t.app.fetch(request), DEFAULT_HTTP_LIMITS);
  const upstream = await listen(real);
  let requests = 0;
  const proxy = createNodeServer(async (request) => {
    requests += 1;
    if (requests % RATE_LIMITED_EVERY === 0) return rateLimited();
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    for (const name of HOP_BY_HOP) headers.delete(name);
    const body = request.method === 'GET' ? undefined : new Uint8Array(await request.arrayBuffer());
    const response = await fetch(`${upstream}${url.pathname}${url.search}`, {
      method: request.method,
      headers,
      body,
      redirect: 'manual',
    });
    const answer = { status: response.status, headers: new Headers(response.headers), text: await response.text() };
    for (const name of HOP_BY_HOP) answer.headers.delete(name);
    const altered = broken(request.method, url.pathname, (body?.length ?? 0) > 0, answer);
    return new Response(altered.text === '' ? null : altered.text, {
      status: altered.status,
      headers: altered.headers,
    });
  }, DEFAULT_HTTP_LIMITS);
  servers = [real, proxy];
  baseUrl = `${await listen(proxy)}/v1`;
  const [host, guest, stranger] = await Promise.all([t.newOrganization(), t.newOrganization(), t.newOrganization()]);
  const credentials = ({ organization_id, client_id, client_secret }: typeof host) => ({
    organization_id,
    client_id,
    client_secret,
  });
  organizationsFile = await writeOrganizations(path.join(work, 'organizations.json'), {
    host: credentials(host),
    guest: credentials(guest),
    stranger: credentials(stranger),
  });
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('connections-api-conformance against a broken deployment', () => {
  it('exits 1, naming each broken operation with its check and the request, in the output and in JUnit', async () => {
    const junit = path.join(work, 'junit.xml');
    const run: CommandRun = await command([
      '--base-url',
      baseUrl,
      '--organizations',
      organizationsFile,
      '--requests',
      '150',
      '--seed',
      '7',
      '--junit',
      junit,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code, run.stdout).toBe(1);
    const expected = [
      /listGuestConnections — body schema: \/ must have required property 'total_items'/,
      /getOrganization — authorization: answered 200, not 403 not_connected/,
      /createGuestInvitation — location: the 201 response has no Location header/,
      /\w+ — no 5xx: answered 500\n {6}request: (POST|PATCH) \/v1\/\S+ ".+"/,
      /getGuestConnection — body schema: \/archived must be boolean/,
    ];
    for (const pattern of expected) expect(run.stdout, String(pattern)).toMatch(pattern);
    expect(run.stdout).toMatch(/--seed 7$/m);
    expect(run.stdout).toMatch(/^rate limits: [1-9]\d* answers 429 waited out \(0 s\) and sent again$/m);
    expect(run.stdout).toMatch(/^fuzz: 150 requests .*statuses (?!.*429)/m);
    // Nothing else fails: every finding is one of the breaks, or what a 500 for a refused body also breaks.
    const checks = [...run.stdout.matchAll(/^ {2}(\w+) — ([a-z0-9 ]+):/gm)].map(([, op, check]) => `${op} ${check}`);
    const allowed =
      /^(listGuestConnections (body schema|flow)|getOrganization authorization|createGuestInvitation location|\w+ (no 5xx|invalid request refused)|getGuestConnection (body schema|flow))$/;
    expect(checks.filter((c) => !allowed.test(c))).toEqual([]);
    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(/<testsuites name="connections-api-conformance" tests="\d+" failures="[1-9]\d*">/);
    expect(xml).toMatch(
      /<testcase classname="connections-api-conformance.matrix" name="getOrganization × unrelated target">\s*<failure message="getOrganization — authorization/,
    );
    expect(xml).toMatch(/<failure message="createGuestInvitation — location/);
  }, 240_000);

  it('exits 2 on wrong usage, naming what is wrong, and on a deployment that does not answer', async () => {
    const missing = await command(['--base-url', baseUrl]);
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toMatch(
      /^--base-url and --organizations are required\n\nusage: connections-api-conformance/,
    );
    const notNumber = await command([
      '--base-url',
      baseUrl,
      '--organizations',
      organizationsFile,
      '--requests',
      'many',
    ]);
    expect(notNumber.code).toBe(2);
    expect(notNumber.stderr).toMatch(/^--requests must be a whole number, not many/);
    const noV1 = await command(['--base-url', baseUrl.replace(/\/v1$/, ''), '--organizations', organizationsFile]);
    expect(noV1.code).toBe(2);
    expect(noV1.stderr).toMatch(/must be an http\(s\) URL ending in \/v1/);

    const closed = createNodeServer(() => new Response(), DEFAULT_HTTP_LIMITS);
    const address = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = await command(['--base-url', `${address}/v1`, '--organizations', organizationsFile]);
    expect(unreachable).toMatchObject({ code: 2, stdout: '' });
    expect(unreachable.stderr).toMatch(
      /^cannot check the deployment: GET http:\/\/127\.0\.0\.1:\d+\/readyz got no answer/,
    );
  }, 120_000);
});
