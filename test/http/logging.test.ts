// Request ids and the one log line per request, and how lines reach stdout.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp, type App } from '../../server/app.js';
import { stdoutLogger } from '../../server/http/logging.js';
import { TEST_JWT_SECRET, createTestApp, type TestApp, type TestOrganization } from '../support/app.js';
import { engines } from '../support/database.js';
import { UUID } from '../../conformance/uuid.js';

describe.each(engines)('request ids and log lines on %s', (engine) => {
  let t: TestApp;
  let org: TestOrganization;
  let app: App;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    t = await createTestApp(engine);
    org = await t.newOrganization();
    app = createApp({
      store: t.store,
      jwtSecret: TEST_JWT_SECRET,
      validateResponses: true,
      log: (line) => lines.push(line),
    });
  });

  it('echoes a well-formed X-Request-Id and replaces any other with a uuid', async () => {
    const kept = await t.request('/healthz', { headers: { 'X-Request-Id': 'req-1.A_b' } });
    expect(kept.headers.get('x-request-id')).toBe('req-1.A_b');

    for (const bad of ['x'.repeat(129), 'a b', 'a/b', 'ü']) {
      const replaced = await t.request('/healthz', { headers: { 'X-Request-Id': bad } });
      expect(replaced.headers.get('x-request-id')).toMatch(UUID);
    }
    const made = await t.request('/v1/nothing');
    expect(made.headers.get('x-request-id')).toMatch(UUID);
  });

  it('logs one line per request with the route template, and never the token or a body', async () => {
    lines.length = 0;
    const response = await app.request(`/v1/organizations/${org.organization_id}`, {
      headers: { ...org.headers(), 'X-Request-Id': 'trace-me' },
    });
    const secretBody = JSON.stringify({ client_id: org.client_id, client_secret: org.client_secret });
    await app.request('/v1/oauth2/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: secretBody,
    });
    await app.request('/v1/nowhere');

    expect(lines).toHaveLength(3);
    const [get, token, missing] = lines;
    expect(Object.keys(get ?? {}).sort()).toEqual([
      'duration_ms',
      'level',
      'method',
      'request_id',
      'route',
      'status',
      'time',
    ]);
    expect(get).toMatchObject({
      level: 'info',
      request_id: 'trace-me',
      method: 'GET',
      route: '/v1/organizations/{org_id}',
      status: response.status,
    });
    expect(typeof get?.duration_ms).toBe('number');
    expect(new Date(String(get?.time)).toISOString()).toBe(get?.time);
    expect(token).toMatchObject({ method: 'POST', route: '/v1/oauth2/token', status: 200 });
    expect(missing).toMatchObject({ route: null, status: 404 });

    const logged = JSON.stringify(lines);
    for (const secret of [org.token, org.client_secret, org.client_id]) expect(logged).not.toContain(secret);
  });

  it('logs an unexpected error with its request id, and answers a bare 500', async () => {
    lines.length = 0;
    const failing = createApp({
      store: t.store,
      jwtSecret: TEST_JWT_SECRET,
      log: (line) => lines.push(line),
      handlers: {
        getHealth: async () => {
          throw new Error('disk on fire at /var/secret/path');
        },
      },
    });
    const response = await failing.request('/healthz', { headers: { 'X-Request-Id': 'boom' } });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ code: 'internal_error', status: 500 });
    expect(text).not.toContain('disk on fire');
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'error', request_id: 'boom', error: 'disk on fire at /var/secret/path' }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'error', request_id: 'boom', status: 500, route: '/healthz' }),
    );
  });
});

describe('stdoutLogger', () => {
  it('writes the lines of one turn of the event loop in one write, in order, at its end', async () => {
    const writes: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      stdoutLogger({ n: 1 });
      stdoutLogger({ n: 2 });
      expect(writes).toEqual([]);
      await new Promise((resolve) => setImmediate(resolve));
      stdoutLogger({ n: 3 });
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      write.mockRestore();
    }
    expect(writes).toEqual(['{"n":1}\n{"n":2}\n', '{"n":3}\n']);
  });
});
