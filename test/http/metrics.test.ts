// GET /metrics: the Prometheus text format, request durations by operation and status, pool
// use, rate-limit rejections, and METRICS_TOKEN when the operator sets one.
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../server/app.js';
import { ConfigError, loadConfig } from '../../server/config.js';
import { createMetrics } from '../../server/http/metrics.js';
import { createRateLimits } from '../../server/http/rate-limits.js';
import type { Store } from '../../server/store/database.js';
import { TEST_JWT_SECRET, createTestApp, type TestOrganization } from '../support/app.js';
import { engines, openTestStore } from '../support/database.js';
import { parsePrometheusText, samplesOf, type MetricFamily } from '../support/prometheus.js';

const METRICS_TOKEN = 'metrics-token-0123456789';
const quiet = (): void => {};

/** A fresh app (its own registry), answering with response checking on. */
const freshApp = (store: Store, metricsToken?: string): App =>
  createApp({ store, jwtSecret: TEST_JWT_SECRET, validateResponses: true, log: quiet, metricsToken });

async function scrape(app: App, headers: Record<string, string> = {}): Promise<MetricFamily[]> {
  const response = await app.request('/metrics', { headers });
  expect(response.status, await response.clone().text()).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  return parsePrometheusText(await response.text());
}

const requestCount = (families: MetricFamily[], operation: string, status: string): number =>
  samplesOf(families, 'http_request_duration_seconds_count', { operation, status })[0]?.value ?? 0;

describe.each(engines)('GET /metrics on %s', (engine) => {
  let store: Store;
  let org: TestOrganization;

  beforeAll(async () => {
    const t = await createTestApp(engine);
    store = t.store;
    org = await t.newOrganization();
  });

  it('answers the Prometheus text format with the families the contract describes', async () => {
    const families = await scrape(freshApp(store));
    const types = Object.fromEntries(families.map((f) => [f.name, f.type]));
    expect(types).toMatchObject({
      http_request_duration_seconds: 'histogram',
      http_requests_in_flight: 'gauge',
      db_pool_connections: 'gauge',
      db_pool_connections_idle: 'gauge',
      db_pool_waiting: 'gauge',
      rate_limited_requests_total: 'counter',
      // The process' own, collected once per process.
      process_cpu_seconds_total: 'counter',
      nodejs_eventloop_lag_seconds: 'gauge',
    });
    // The scrape itself is in flight while it is answered.
    expect(samplesOf(families, 'http_requests_in_flight')[0]?.value).toBe(1);
  });

  it('counts each request in the histogram by operationId and status, and "none" for no operation', async () => {
    const app = freshApp(store);
    await app.request('/healthz');
    await app.request('/healthz');
    await app.request(`/v1/organizations/${org.organization_id}`); // no token: 401
    await app.request(`/v1/organizations/${org.organization_id}`, { headers: org.headers() });
    await app.request('/v1/nowhere'); // 404
    await app.request('/healthz', { method: 'POST' }); // 405
    const families = await scrape(app);
    expect({
      health: requestCount(families, 'getHealth', '200'),
      unauthorized: requestCount(families, 'getOrganization', '401'),
      organization: requestCount(families, 'getOrganization', '200'),
      notFound: requestCount(families, 'none', '404'),
      notAllowed: requestCount(families, 'none', '405'),
    }).toEqual({ health: 2, unauthorized: 1, organization: 1, notFound: 1, notAllowed: 1 });
    // Apps do not share counts: another app saw none of these.
    expect(requestCount(await scrape(freshApp(store)), 'getHealth', '200')).toBe(0);
  });

  it('reports the pool: a connection in use while a transaction holds it', async () => {
    const metrics = createMetrics(store);
    const pool = async () => {
      const families = parsePrometheusText(await metrics.render());
      const [total, idle, waiting] = ['db_pool_connections', 'db_pool_connections_idle', 'db_pool_waiting'].map(
        (name) => samplesOf(families, name)[0]?.value,
      );
      return { total: total ?? -1, idle: idle ?? -1, waiting: waiting ?? -1 };
    };
    await sql`select 1`.execute(store.db);
    const before = await pool();
    expect(before.total).toBeGreaterThanOrEqual(1);
    expect(before.total - before.idle).toBe(0);

    let queued: Promise<unknown> | undefined;
    const during = await store.db.transaction().execute(async (trx) => {
      await sql`select 1`.execute(trx);
      // PGlite has one connection: a query outside the transaction queues behind it.
      if (engine === 'pglite') queued = sql`select 1`.execute(store.db);
      await new Promise((resolve) => setImmediate(resolve));
      return pool();
    });
    await queued;
    expect(during.total - during.idle).toBeGreaterThanOrEqual(1);
    if (engine === 'pglite') expect(during).toEqual({ total: 1, idle: 0, waiting: 1 });
    expect((await pool()).waiting).toBe(0);
  });
});

describe('rate-limit rejections', () => {
  it('are counted by scope through metrics.rateLimited(scope)', async () => {
    const metrics = createMetrics(await openTestStore('pglite'));
    metrics.rateLimited('token');
    metrics.rateLimited('token');
    metrics.rateLimited('organization');
    const families = parsePrometheusText(await metrics.render());
    expect(samplesOf(families, 'rate_limited_requests_total').map((s) => [s.labels.scope, s.value])).toEqual([
      ['token', 2],
      ['organization', 1],
    ]);
  });

  it('are counted when the app answers 429', async () => {
    const limits = createRateLimits({
      perSecond: 2,
      burst: 2,
      tokenFailuresPerMinute: 0,
      redisKeyPrefix: 'unused',
      log: quiet,
    });
    const t = await createTestApp('pglite', { rateLimits: limits });
    const org = await t.newOrganization();
    const statuses = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await t.request(`/v1/organizations/${org.organization_id}`, { headers: org.headers() })).status);
    const refused = statuses.filter((status) => status === 429).length;
    expect(refused).toBeGreaterThan(0);
    const families = await scrape(t.app);
    expect(samplesOf(families, 'rate_limited_requests_total', { scope: 'organization' })[0]?.value).toBe(refused);
    await limits.close();
  });
});

describe('METRICS_TOKEN', () => {
  let app: App;
  let org: TestOrganization;

  beforeAll(async () => {
    const t = await createTestApp('pglite');
    org = await t.newOrganization();
    app = freshApp(t.store, METRICS_TOKEN);
  });

  it('is required as a bearer token when set, compared exactly', async () => {
    const answers = async (authorization?: string) => {
      const response = await app.request('/metrics', {
        headers: authorization === undefined ? {} : { Authorization: authorization },
      });
      return `${response.status} ${response.headers.get('www-authenticate') ?? ''}`.trim();
    };
    expect({
      none: await answers(),
      basic: await answers(`Basic ${Buffer.from(`x:${METRICS_TOKEN}`).toString('base64')}`),
      wrong: await answers(`Bearer ${METRICS_TOKEN}x`),
      prefix: await answers(`Bearer ${METRICS_TOKEN.slice(0, -1)}`),
      // The API's own tokens are not the metrics token.
      apiToken: await answers(`Bearer ${org.token}`),
      right: await answers(`Bearer ${METRICS_TOKEN}`),
      lowercaseScheme: await answers(`bearer ${METRICS_TOKEN}`),
    }).toEqual({
      none: '401 Bearer',
      basic: '401 Bearer',
      wrong: '401 Bearer error="invalid_token"',
      prefix: '401 Bearer error="invalid_token"',
      apiToken: '401 Bearer error="invalid_token"',
      right: '200',
      lowercaseScheme: '200',
    });
    const refused = await app.request('/metrics');
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(await refused.json()).toMatchObject({ status: 401, code: 'invalid_token' });
  });

  it('is read from the environment, and a weak one stops the server', async () => {
    expect((await loadConfig({ JWT_SECRET: TEST_JWT_SECRET, METRICS_TOKEN })).metricsToken).toBe(METRICS_TOKEN);
    expect((await loadConfig({ JWT_SECRET: TEST_JWT_SECRET })).metricsToken).toBeUndefined();
    for (const weak of ['short', 'has spaces in it, 1234567890', 'quote"quote"quote"quote']) {
      await expect(loadConfig({ JWT_SECRET: TEST_JWT_SECRET, METRICS_TOKEN: weak })).rejects.toThrow(ConfigError);
    }
  });
});
