// Routing: the contract's operations at their base paths, 404 and 405 for everything else.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Problem } from '../../server/http/problem.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { engines } from '../support/database.js';

describe.each(engines)('routes on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(engine);
  });

  it('serves the probes at the root and the API under /v1', async () => {
    expect((await t.request('/healthz')).status).toBe(200);
    expect(await (await t.request('/readyz')).json()).toEqual({ status: 'ok' });
    expect((await t.request('/v1/healthz')).status).toBe(404);
    expect((await t.request('/oauth2/token', { method: 'POST' })).status).toBe(404);
  });

  it('refuses query parameters on the probes with the documented 422', async () => {
    for (const path of ['/healthz?verbose=1', '/readyz?verbose=1']) {
      const response = await t.request(path);
      expect(response.status, path).toBe(422);
      const problem = (await response.json()) as Problem;
      expect(problem.errors).toEqual([expect.objectContaining({ location: 'query', pointer: 'verbose' })]);
    }
  });

  it('answers 404 route_not_found as problem+json for a path of no operation', async () => {
    for (const path of ['/', '/v1', '/v1/nothing', '/v1/guest-invitations/', '/v2/guest-invitations']) {
      const response = await t.request(path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(((await response.json()) as Problem).code).toBe('route_not_found');
    }
  });

  it('answers 405 method_not_allowed with Allow for a known path and another method', async () => {
    const collection = await t.request('/v1/guest-invitations', { method: 'DELETE' });
    expect(collection.status).toBe(405);
    expect(collection.headers.get('allow')).toBe('GET, HEAD, POST');
    expect(((await collection.json()) as Problem).code).toBe('method_not_allowed');

    const item = await t.request('/v1/host-connections/3c90c3cc-0d44-4b50-8888-8dd25736052a/actions', {
      method: 'POST',
    });
    expect(item.status).toBe(405);
    expect(item.headers.get('allow')).toBe('GET, HEAD');

    const token = await t.request('/v1/oauth2/token');
    expect(token.status).toBe(405);
    expect(token.headers.get('allow')).toBe('POST');
  });

  it('answers HEAD like GET, without a body', async () => {
    const response = await t.request('/healthz', { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });
});
