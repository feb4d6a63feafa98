// The retry schedule, 410, Retry-After and the 5-day disabling, on a fake clock: each attempt
// is one dispatcher round at the time the previous one scheduled, and the receiver is a function.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { components } from '../../generated/openapi.js';
import { createWebhookEndpoint } from '../../server/domain/webhook-endpoints.js';
import type { Store } from '../../server/store/database.js';
import { enqueueEvent, objectData } from '../../server/store/webhook-outbox.js';
import { createDispatcher } from '../../server/webhooks/dispatcher.js';
import type { Answer } from '../../server/webhooks/http-sender.js';
import { RETRY_DELAYS_MS } from '../../server/webhooks/schedule.js';
import { insertTestOrganization, openTestStore } from '../support/database.js';
import { loopbackPolicy } from './receiver.js';

type Endpoint = components['schemas']['WebhookEndpoint'];
type WebhookAttempt = components['schemas']['WebhookAttempt'];
const DAY = 24 * 3600 * 1000;

describe('webhook retries on a fake clock', () => {
  let store: Store;

  beforeAll(async () => {
    store = await openTestStore('pglite');
  });

  /** An organization with an endpoint of its own, an event for it at `start`, and a dispatcher whose receiver answers `answer`. */
  async function scenario(start: Date, answer: (attempt: number) => Answer) {
    const org = await insertTestOrganization(store.db);
    const path = `/${randomUUID()}`;
    const endpoint = await createWebhookEndpoint(store.db, loopbackPolicy, org.id, {
      url: `https://hooks.example.test${path}`,
      event_types: ['connection_action.created'],
    });
    const attempts: Date[] = [];
    let now = start;
    const dispatcher = createDispatcher({
      db: store.db,
      clock: () => now,
      // No jitter: random() = 0.5 is the middle of the ±10 %.
      random: () => 0.5,
      // The store is shared: a round must reach this test's delivery whatever else is due.
      batchSize: 1000,
      send: async (outgoing) => {
        // Other files' deliveries in the shared store are not this receiver's.
        if (!outgoing.url.endsWith(path)) throw new Error('not this test');
        attempts.push(now);
        return answer(attempts.length);
      },
    });
    const event = (at: Date) =>
      store.db.transaction().execute((trx) =>
        enqueueEvent(trx, {
          organizationId: org.id,
          type: 'connection_action.created',
          data: objectData({}),
          now: at,
        }),
      );
    await event(start);
    const deliveries = () =>
      store.db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('endpoint_id', '=', endpoint.id)
        .orderBy('seq')
        .execute();
    /** Runs a round at the first delivery's next attempt; false when none is due any more. */
    const nextRound = async (): Promise<boolean> => {
      const [first] = (await deliveries()).filter((d) => d.status === 'pending');
      if (first?.next_attempt_at == null) return false;
      now = first.next_attempt_at;
      await dispatcher.runOnce();
      return true;
    };
    const endpointRow = () =>
      store.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', endpoint.id).executeTakeFirstOrThrow();
    return {
      attempts,
      nextRound,
      deliveries,
      endpointRow,
      event,
      setNow: (at: Date) => (now = at),
      dispatcher,
      endpoint: endpoint as Endpoint,
    };
  }

  it('retries after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, then fails the delivery', async () => {
    const start = new Date('2031-01-01T00:00:00Z');
    const s = await scenario(start, () => ({ status: 500, body: 'x'.repeat(5000), retryAfter: undefined }));
    while (await s.nextRound()) {}
    const gaps = s.attempts.slice(1).map((at, i) => at.getTime() - (s.attempts[i]?.getTime() ?? 0));
    expect(gaps).toEqual(RETRY_DELAYS_MS);
    expect(RETRY_DELAYS_MS).toEqual([5e3, 3e5, 18e5, 72e5, 18e6, 36e6, 36e6]);
    const [delivery] = await s.deliveries();
    expect(delivery?.status).toBe('failed');
    const attempts = delivery?.attempts as WebhookAttempt[];
    expect(attempts).toHaveLength(8);
    expect(attempts[0]).toMatchObject({ status_code: 500, error: null });
    expect(attempts[0]?.response_body).toHaveLength(1024);
    // Failed for about 28 hours, not 5 days: the endpoint stays enabled.
    expect((await s.endpointRow()).enabled).toBe(true);
  });

  it('keeps jitter within ±10 % of each step', async () => {
    const { retryDelayMs } = await import('../../server/webhooks/schedule.js');
    expect(retryDelayMs(1, 0, undefined)).toBe(4500);
    expect(retryDelayMs(1, 0.999999, undefined)).toBe(5500);
    expect(retryDelayMs(8, 0.5, undefined)).toBeUndefined();
  });

  it('disables the endpoint at once on 410, with the reason', async () => {
    const s = await scenario(new Date('2031-02-01T00:00:00Z'), () => ({
      status: 410,
      body: '',
      retryAfter: undefined,
    }));
    // Not due yet at the 410: it fails without an attempt, nothing more goes to a disabled endpoint.
    await s.event(new Date('2031-02-01T01:00:00Z'));
    await s.nextRound();
    const endpoint = await s.endpointRow();
    expect(endpoint.enabled).toBe(false);
    expect(endpoint.disabled_reason).toContain('410');
    expect((await s.deliveries()).map((d) => d.status)).toEqual(['failed', 'failed']);
    expect(s.attempts).toHaveLength(1);
  });

  it('honours Retry-After on 429 and 503, not on other statuses', async () => {
    const start = new Date('2031-03-01T00:00:00Z');
    const answers: Answer[] = [
      { status: 429, body: '', retryAfter: '120' },
      { status: 503, body: '', retryAfter: 'Sat, 01 Mar 2031 01:00:00 GMT' },
      { status: 500, body: '', retryAfter: '99999' },
    ];
    const s = await scenario(start, (n) => answers[n - 1] ?? { status: 200, body: '', retryAfter: undefined });
    for (let i = 0; i < 4; i++) await s.nextRound();
    const at = s.attempts.map((date) => date.getTime() - start.getTime());
    expect(at).toEqual([0, 120_000, 3_600_000, 3_600_000 + 1_800_000]);
    expect((await s.deliveries())[0]?.status).toBe('succeeded');
  });

  it('disables an endpoint whose every delivery failed for 5 days, saying why', async () => {
    const start = new Date('2031-04-01T00:00:00Z');
    const s = await scenario(start, () => ({ status: 500, body: '', retryAfter: undefined }));
    // A new event every day keeps deliveries coming after the first one's retries are spent.
    for (let day = 0; day <= 5; day++) {
      const at = new Date(start.getTime() + day * DAY);
      if (day > 0) await s.event(at);
      s.setNow(at);
      await s.dispatcher.runOnce();
    }
    const endpoint = await s.endpointRow();
    expect(endpoint.enabled).toBe(false);
    expect(endpoint.disabled_reason).toBe(`Every delivery failed for 5 days, since ${start.toISOString()}.`);
    expect((await s.deliveries()).every((d) => d.status === 'failed')).toBe(true);
  });

  it('starts the 5 days again after a success', async () => {
    const start = new Date('2031-05-01T00:00:00Z');
    const s = await scenario(start, (n) => ({ status: n === 3 ? 200 : 500, body: '', retryAfter: undefined }));
    for (let day = 0; day <= 5; day++) {
      const at = new Date(start.getTime() + day * DAY);
      if (day > 0) await s.event(at);
      s.setNow(at);
      await s.dispatcher.runOnce();
    }
    expect((await s.endpointRow()).enabled).toBe(true);
  });
});
