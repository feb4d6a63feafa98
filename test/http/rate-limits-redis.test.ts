// Rate limits shared through Redis: two app instances (two processes, as far as the limiter
// knows: each has its own client and in-memory state) spend one budget; when Redis goes away
// each falls back to its in-memory limit, says so once, and keeps answering.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLine } from '../../server/http/logging.js';
import { createRateLimits, type RateLimits, type RateLimitsOptions } from '../../server/http/rate-limits.js';
import { createTestApp, type TestApp, type TestOrganization } from '../support/app.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const redisUrl = process.env.TEST_REDIS_URL;
// Every key this file writes starts with this; each test adds a random part of its own.
const prefix = `${process.env.TEST_REDIS_PREFIX ?? 'connections-api-test'}:${randomUUID()}`;

/** A limiter with its own Redis client and a log that a test can read. */
function limiter(url: string, overrides: Partial<RateLimitsOptions> = {}): { limits: RateLimits; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const limits = createRateLimits({
    perSecond: 5,
    burst: 5,
    tokenFailuresPerMinute: 2,
    redisUrl: url,
    redisKeyPrefix: prefix,
    log: (line) => lines.push(line),
    ...overrides,
  });
  return { limits, lines };
}

const said = (lines: LogLine[], pattern: RegExp) => lines.filter((line) => pattern.test(String(line.message)));

async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const getOwn = (t: TestApp, org: TestOrganization) =>
  t.request(`/v1/organizations/${org.organization_id}`, { headers: org.headers() });
const statusesOf = async (responses: Promise<Response>[]) =>
  (await Promise.all(responses)).map((response) => response.status);

describe.skipIf(redisUrl === undefined)(
  `rate limits through Redis${redisUrl === undefined ? ' (skipped: TEST_REDIS_URL is not set)' : ''}`,
  () => {
    const url = redisUrl ?? '';

    describe('two app instances', () => {
      // Made in the hook: a skipped describe still runs its body, and must connect to nothing.
      let first: ReturnType<typeof limiter>;
      let second: ReturnType<typeof limiter>;
      let one: TestApp;
      let two: TestApp;

      beforeAll(async () => {
        [first, second] = [limiter(url), limiter(url)];
        [one, two] = await Promise.all([
          createTestApp('pglite', { rateLimits: first.limits }),
          createTestApp('pglite', { rateLimits: second.limits }),
        ]);
        for (const { lines } of [first, second])
          await until(() => said(lines, /shared through Redis/).length === 1, 'Redis');
      });
      afterAll(async () => {
        await Promise.all([first?.limits.close(), second?.limits.close()]);
      });

      it('share one budget per organization: what one spent, the other refuses', async () => {
        const [org, other] = await Promise.all([one.newOrganization(), one.newOrganization()]);
        // Both instances at once, within one 1 s window: 5 of the 8 pass, wherever they land.
        const statuses = await statusesOf([
          ...Array.from({ length: 4 }, () => getOwn(one, org)),
          ...Array.from({ length: 4 }, () => getOwn(two, org)),
        ]);
        expect(statuses.filter((status) => status === 200)).toHaveLength(5);
        expect(statuses.filter((status) => status === 429)).toHaveLength(3);
        expect(await statusesOf([getOwn(two, other), getOwn(one, other)])).toEqual([200, 200]);
      });

      it('share the failed-token count of a client_id', async () => {
        const org = await one.newOrganization();
        const attempt = (t: TestApp, secret: string) =>
          t.request('/v1/oauth2/token', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ client_id: org.client_id, client_secret: secret }),
          });
        expect((await attempt(one, 'wrong')).status).toBe(401);
        expect((await attempt(two, 'wrong')).status).toBe(401);
        expect((await attempt(one, org.client_secret)).status).toBe(429);
        expect((await attempt(two, org.client_secret)).status).toBe(429);
      });
    });

    describe('Redis going away', () => {
      let proxy: TcpProxy;
      let shared: { limits: RateLimits; lines: LogLine[] };
      let t: TestApp;

      beforeAll(async () => {
        const target = new URL(url);
        proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
        const viaProxy = new URL(url);
        viaProxy.hostname = '127.0.0.1';
        viaProxy.port = String(proxy.port);
        shared = limiter(viaProxy.href);
        t = await createTestApp('pglite', { rateLimits: shared.limits });
        await until(() => said(shared.lines, /shared through Redis/).length === 1, 'Redis');
      });
      afterAll(async () => {
        await shared?.limits.close();
        await proxy?.close();
      });

      it('falls back to the in-memory limit, says so once, keeps answering and limiting, and shares again when Redis is back', async () => {
        const org = await t.newOrganization();
        expect(await statusesOf([getOwn(t, org)])).toEqual([200]);

        // Counted from here: on a loaded machine the first connection may already have timed out once.
        const fallbacks = () => said(shared.lines, /unavailable/).length;
        const shares = () => said(shared.lines, /shared through Redis/).length;
        const [fallbacksBefore, sharesBefore] = [fallbacks(), shares()];
        await proxy.cut();
        await until(() => fallbacks() > fallbacksBefore, 'the fallback line');
        // Rounds of more requests than the budget, across several reconnect attempts: every one
        // answered, by the in-memory limit (200 within it, 429 past it), none failed.
        const statuses: number[] = [];
        for (let round = 0; round < 5; round++) {
          statuses.push(...(await statusesOf(Array.from({ length: 10 }, () => getOwn(t, org)))));
          await new Promise((resolve) => setTimeout(resolve, 150));
        }
        expect(statuses.filter((status) => status !== 200 && status !== 429)).toEqual([]);
        expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(5);
        expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
        expect(fallbacks() - fallbacksBefore, JSON.stringify(shared.lines)).toBe(1);
        expect(said(shared.lines, /unavailable/).at(-1)).toMatchObject({ level: 'warn' });

        await proxy.restore();
        await until(() => shares() === sharesBefore + 1, 'the shared line again');
        await new Promise((resolve) => setTimeout(resolve, 1100)); // past the last 1 s window
        expect(await statusesOf([getOwn(t, org)])).toEqual([200]);
      });
    });
  },
);
