// The webhook dispatcher: claims due deliveries (server/store/webhook-deliveries.ts), signs
// each attempt in the Standard Webhooks scheme and sends it, then records the answer and when
// to try again. Woken by the database's notification at the commit of a change that made
// deliveries, and polling besides, so a missed notification (a lost LISTEN connection) only
// delays a delivery. A database outage is logged and retried on the next round: the process
// never dies of it. The clock, the sender and the jitter are injected, for tests on a fake clock.
//
// What it guarantees: every committed event is sent at least once to each endpoint subscribed
// at its commit (a process that dies mid-attempt leaves the claim to lapse, and the attempt is
// sent again, with the same `webhook-id`); one attempt is sent by one dispatcher at a time, as
// long as it ends before its claim lapses (15 s timeout, 60 s claim). Deliveries are claimed in
// commit order, oldest due first, but not held back for each other: a retried delivery may
// arrive after a later one.
import type { Kysely } from 'kysely';
import { Webhook } from 'standardwebhooks';
import { disableWebhookEndpoint } from '../domain/webhook-deliveries.js';
import type { Database, WebhookAttempt } from '../store/schema.js';
import { claimDue, recordAttempt, type Claimed } from '../store/webhook-deliveries.js';
import { recordEndpointHealth } from '../store/webhook-endpoints.js';
import type { Answer, Send } from './http-sender.js';
import { retryAfterMs, retryDelayMs } from './schedule.js';

const DAY = 24 * 60 * 60 * 1000;
/** An endpoint whose every attempt failed for this long is disabled. */
const FAILING_DAYS = 5;
const KEPT_BODY_CHARS = 1024;

export type DispatcherOptions = {
  db: Kysely<Database>;
  send: Send;
  clock?: () => Date;
  random?: () => number;
  /** Deliveries claimed per round. */
  batchSize?: number;
  /** Attempts in flight at most (each waits up to 15 s for a receiver). */
  maxInFlight?: number;
  /** How long a claim holds a delivery; longer than an attempt can take. */
  claimMs?: number;
  /** The polling fallback, and the wait after a failed round. */
  pollMs?: number;
  log?: (line: Record<string, unknown>) => void;
};

export type Dispatcher = {
  /** One round: claims what is due and sends it; returns how many it sent. */
  runOnce(): Promise<number>;
  /** Runs rounds until stopped. */
  start(): void;
  /** Starts a round now (a notification). */
  wake(): void;
  /** Stops claiming, and waits for the attempts in flight. */
  stop(): Promise<void>;
};

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { db, send } = options;
  const clock = options.clock ?? (() => new Date());
  const random = options.random ?? Math.random;
  const batchSize = options.batchSize ?? 20;
  const maxInFlight = options.maxInFlight ?? 100;
  const claimMs = options.claimMs ?? 60_000;
  const pollMs = options.pollMs ?? 1000;
  const log = options.log ?? (() => {});

  /** The signatures of every secret valid now: the current one, and the previous one during its grace. */
  function signature(claim: Claimed, at: Date): string {
    const secrets = [claim.secret];
    const graceEnd = claim.previous_secret_expires_at;
    if (claim.previous_secret !== null && graceEnd !== null && graceEnd > at) secrets.push(claim.previous_secret);
    return secrets.map((secret) => new Webhook(secret).sign(claim.event_id, at, claim.body)).join(' ');
  }

  async function deliver(claim: Claimed): Promise<void> {
    const at = clock();
    let answer: Answer | undefined;
    let error: string | null = null;
    try {
      answer = await send({
        url: claim.url,
        body: claim.body,
        headers: {
          'webhook-id': claim.event_id,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': signature(claim, at),
        },
      });
    } catch (failure) {
      error = failure instanceof Error ? failure.message : String(failure);
    }
    const end = clock();
    const attempt: WebhookAttempt = {
      attempted_at: at.toISOString(),
      status_code: answer?.status ?? null,
      error,
      duration_ms: Math.max(0, end.getTime() - at.getTime()),
      response_body: answer === undefined ? null : answer.body.slice(0, KEPT_BODY_CHARS),
    };
    const status = answer?.status ?? 0;
    if (status >= 200 && status < 300) {
      await recordAttempt(db, claim.id, { attempt, status: 'succeeded', nextAttemptAt: null });
      await recordEndpointHealth(db, claim.endpoint_id, true, end);
      return;
    }
    if (status === 410) {
      await recordAttempt(db, claim.id, { attempt, status: 'failed', nextAttemptAt: null });
      const reason = `The receiver answered 410 Gone at ${end.toISOString()}.`;
      await disableWebhookEndpoint(db, claim.endpoint_id, reason, end);
      return;
    }
    const failingSince = (await recordEndpointHealth(db, claim.endpoint_id, false, end)) ?? end;
    if (end.getTime() - failingSince.getTime() >= FAILING_DAYS * DAY) {
      await recordAttempt(db, claim.id, { attempt, status: 'failed', nextAttemptAt: null });
      const reason = `Every delivery failed for ${FAILING_DAYS} days, since ${failingSince.toISOString()}.`;
      await disableWebhookEndpoint(db, claim.endpoint_id, reason, end);
      return;
    }
    const asked = status === 429 || status === 503 ? retryAfterMs(answer?.retryAfter, end) : undefined;
    const delay = retryDelayMs(claim.attempt_count + 1, random(), asked);
    await recordAttempt(db, claim.id, {
      attempt,
      status: delay === undefined ? 'failed' : 'pending',
      nextAttemptAt: delay === undefined ? null : new Date(end.getTime() + delay),
    });
  }

  const logLost = (claim: Claimed) => (error: unknown) => {
    // The result could not be recorded (the database went away): the claim lapses and the
    // attempt is sent again.
    log({ level: 'error', msg: 'webhook attempt not recorded', delivery_id: claim.id, error: String(error) });
  };

  function claim(limit: number): Promise<Claimed[]> {
    const now = clock();
    return claimDue(db, now, new Date(now.getTime() + claimMs), limit);
  }

  async function runOnce(): Promise<number> {
    const claims = await claim(batchSize);
    await Promise.all(claims.map((claimed) => deliver(claimed).catch(logLost(claimed))));
    return claims.length;
  }

  let stopped = true;
  let wakeUp: (() => void) | undefined;
  let woken = false;
  let running: Promise<void> | undefined;
  // Attempts run detached from the rounds, so a slow receiver holds up no other endpoint's.
  const inFlight = new Set<Promise<void>>();

  function wake(): void {
    woken = true;
    wakeUp?.();
  }

  function dispatch(claimed: Claimed): void {
    const attempt: Promise<void> = deliver(claimed)
      .catch(logLost(claimed))
      .finally(() => {
        // A full dispatcher claims again as soon as it has room.
        if (inFlight.size >= maxInFlight) wake();
        inFlight.delete(attempt);
      });
    inFlight.add(attempt);
  }

  async function loop(): Promise<void> {
    while (!stopped) {
      woken = false;
      const room = Math.min(batchSize, maxInFlight - inFlight.size);
      let claimed = 0;
      if (room > 0) {
        try {
          const claims = await claim(room);
          for (const one of claims) dispatch(one);
          claimed = claims.length;
        } catch (error) {
          log({ level: 'error', msg: 'webhook dispatch round failed', error: String(error) });
        }
      }
      // A full batch may have left more due: go on at once.
      if (stopped || (room > 0 && claimed === room) || woken) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeUp = undefined;
    }
  }

  return {
    runOnce,
    start() {
      if (!stopped) return;
      stopped = false;
      running = loop();
    },
    wake,
    async stop() {
      stopped = true;
      wakeUp?.();
      await running;
      await Promise.all(inFlight);
    },
  };
}
