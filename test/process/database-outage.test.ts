// The database goes away under load, three times, and once hangs instead: the server process
// stays up, answers every request within a bounded time (503 service_unavailable with
// Retry-After while the database is gone), and recovers by itself once it is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganization } from '../../server/domain/admin.js';
import { openDatabase, type Store } from '../../server/store/database.js';
import { migrateToLatest } from '../../server/store/migrate.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import {
  getOwnOrganization,
  killRunningServers,
  requestToken,
  startServer,
  type RunningServer,
} from './server-process.js';

const databaseUrl = process.env.TEST_DATABASE_URL;
const title = databaseUrl
  ? 'the server when PostgreSQL goes away'
  : 'the server when PostgreSQL goes away (skipped: TEST_DATABASE_URL is not set)';

const TIMEOUT_MS = 1000;
// Statement timeout, then the client-side read timeout one second later, plus scheduling slack.
const ANSWER_BOUND_MS = 2 * TIMEOUT_MS + 1000 + 3000;

type Answer = { status: number; ms: number; retryAfter: string | null; code: string | undefined };

describe.skipIf(!databaseUrl)(title, () => {
  let store: Store;
  let proxy: TcpProxy;
  let server: RunningServer;
  let organizationId: string;
  let token: string;

  beforeAll(async () => {
    store = await openDatabase({ databaseUrl, dataDir: '' });
    await migrateToLatest(store.db);
    const org = await createOrganization(store.db, {
      name: 'Outage',
      email: 'outage@example.test',
      owner_email: 'owner@example.test',
    });
    organizationId = org.organization_id;
    const target = new URL(databaseUrl ?? '');
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    target.host = `127.0.0.1:${proxy.port}`;
    server = await startServer({
      DATABASE_URL: target.toString(),
      JWT_SECRET: 'outage-test-secret-0123456789abcdef0123',
      DATABASE_STATEMENT_TIMEOUT_MS: String(TIMEOUT_MS),
      DATABASE_ACQUIRE_TIMEOUT_MS: String(TIMEOUT_MS),
      DATABASE_POOL_SIZE: '4',
      // Four clients send back to back, and answers come fast (a 503 in a cut most of all):
      // past 100 a second the organization's rate limit would answer 429, which is not what this tests.
      RATE_LIMIT_PER_SECOND: '0',
    });
    token = await requestToken(server.url, org);
  });

  afterAll(async () => {
    await killRunningServers();
    await proxy?.close();
    await store?.close();
  });

  /** Status 0 when no HTTP answer came at all (the process died, or dropped the connection). */
  async function timed(send: () => Promise<Response>): Promise<Answer> {
    const started = performance.now();
    try {
      const response = await send();
      const body = (await response.json()) as { code?: string };
      return {
        status: response.status,
        ms: performance.now() - started,
        retryAfter: response.headers.get('retry-after'),
        code: body.code,
      };
    } catch (error) {
      return { status: 0, ms: performance.now() - started, retryAfter: null, code: String(error) };
    }
  }
  const readiness = () => timed(() => fetch(`${server.url}/readyz`));
  const organization = () => timed(() => getOwnOrganization(server.url, organizationId, token));

  /** Eight clients sending requests back to back until stopped; every answer is kept. */
  function load(): { stop(): Promise<Answer[]> } {
    const answers: Answer[] = [];
    let running = true;
    const workers = Array.from({ length: 8 }, async (_, index) => {
      while (running) answers.push(await (index % 2 === 0 ? readiness() : organization()));
    });
    return {
      async stop() {
        running = false;
        await Promise.all(workers);
        return answers;
      },
    };
  }

  async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  function expectWithinContract(answers: Answer[]): void {
    for (const answer of answers) {
      expect([200, 503]).toContain(answer.status);
      expect(answer.ms).toBeLessThan(ANSWER_BOUND_MS);
      if (answer.status === 503)
        expect(answer).toMatchObject({ code: 'service_unavailable', retryAfter: expect.stringMatching(/^\d+$/) });
    }
  }

  it('stays up through three cuts under load, answers 503 while cut, and recovers each time', async () => {
    for (let round = 1; round <= 3; round++) {
      expect((await organization()).status).toBe(200);
      const traffic = load();
      await new Promise((resolve) => setTimeout(resolve, 300));
      await proxy.cut();
      // While the database is gone, every kind of request answers 503, quickly.
      await until(
        async () => (await readiness()).status === 503 && (await organization()).status === 503,
        ANSWER_BOUND_MS,
      );
      const during = [await readiness(), await organization()];
      expect(during.map((a) => a.status)).toEqual([503, 503]);
      await proxy.restore();
      await until(async () => (await readiness()).status === 200 && (await organization()).status === 200, 15_000);
      const answers = await traffic.stop();
      expectWithinContract([...answers, ...during]);
      expect(answers.some((a) => a.status === 503)).toBe(true);
      expect(server.process.stderr()).not.toMatch(/Unhandled|Connection terminated unexpectedly/);
    }
  }, 120_000);

  it('answers 503 within the timeouts when the database hangs, and recovers', async () => {
    expect((await organization()).status).toBe(200);
    const traffic = load();
    proxy.blackHole();
    await until(async () => (await organization()).status === 503, ANSWER_BOUND_MS * 2);
    const hanging = [await readiness(), await organization()];
    await proxy.restore();
    await until(async () => (await organization()).status === 200 && (await readiness()).status === 200, 20_000);
    const answers = await traffic.stop();
    expect(hanging.map((a) => a.status)).toEqual([503, 503]);
    expectWithinContract([...answers, ...hanging]);
  }, 120_000);
});
