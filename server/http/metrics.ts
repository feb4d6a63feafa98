// Prometheus metrics of one app, served by `GET /metrics`. Each app has a registry of its own,
// so several apps in one process (tests, a server mounting two) never share or clash; the
// process' own metrics (CPU, memory, event loop, GC) belong to the process and are collected
// once, in a registry of their own.
import type { MiddlewareHandler } from 'hono';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PoolStats, Store } from '../store/database.js';
import type { AppEnv } from './logging.js';

export interface Metrics {
  /**
   * Counts one request refused by a rate limit (answered 429), under `scope`: the name of the
   * limit that refused it (e.g. `token`, `organization`). Keep scopes few and fixed: each is a
   * time series.
   */
  rateLimited(scope: string): void;
  /** Times every request by operation and status, and counts those in flight. */
  middleware: MiddlewareHandler<AppEnv>;
  /** The Prometheus text exposition: this app's metrics, then the process'. */
  render(): Promise<string>;
}

/** The `operation` label of a request no operation answered (404, 405). */
const NO_OPERATION = 'none';

let processRegistry: Registry | undefined;

function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export function createMetrics(store: Store): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: `Time to answer a request, by operationId (${NO_OPERATION} when no operation answered) and status.`,
    labelNames: ['operation', 'status'] as const,
    registers,
  });
  const inFlight = new Gauge({ name: 'http_requests_in_flight', help: 'Requests being answered.', registers });
  const rateLimited = new Counter({
    name: 'rate_limited_requests_total',
    help: 'Requests refused by a rate limit (429), by the limit that refused them.',
    labelNames: ['scope'] as const,
    registers,
  });
  // Read when scraped, so they are never stale.
  const pool = (name: string, help: string, read: (stats: PoolStats) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read(store.poolStats()));
      },
    });
  pool('db_pool_connections', 'Database connections open (PGlite: its one connection).', (s) => s.total);
  pool('db_pool_connections_idle', 'Database connections open and unused.', (s) => s.idle);
  pool(
    'db_pool_waiting',
    'Queries waiting for a database connection (PGlite: queued behind its one connection).',
    (s) => s.waiting,
  );

  return {
    rateLimited: (scope) => rateLimited.inc({ scope }),
    middleware: async (c, next) => {
      const stop = duration.startTimer();
      inFlight.inc();
      try {
        await next();
      } finally {
        inFlight.dec();
        stop({ operation: c.get('operationId') ?? NO_OPERATION, status: String(c.res.status) });
      }
    },
    render: async () => `${await registry.metrics()}\n${await processMetrics().metrics()}`,
  };
}
