// The load generator: autocannon's programmatic API in the bench's own process (apart from the
// servers; the orchestrator is idle while a window runs). Closed loop, keep-alive, no pipelining.
// Latencies come from each response: autocannon's own histogram keeps whole milliseconds only.
// @ts-expect-error autocannon 8 ships no types (@types/autocannon describe 7, one url): typed below as used.
import autocannon from 'autocannon';
import { cpuSeconds, machineBusySeconds } from './processes.js';

type Instance = {
  stop(): void;
  on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): Instance;
  on(event: 'reqError', listener: (error: Error) => void): Instance;
};
const start = autocannon as (options: object, done: (error: unknown) => void) => Instance;

export type RequestSpec = { method: string; path: string; headers: Record<string, string>; body?: string };
/** A span ends once `seconds` have passed and `minRequests` are answered, or at `maxSeconds` (default: `seconds`). */
export type Span = { seconds: number; minRequests?: number; maxSeconds?: number };

/**
 * `processes`: the target's, the connections spread over them, their CPU measured; `backends`:
 * the pids of its PostgreSQL backends, their CPU measured too. `requests` are sent in turn, again
 * and again; with `once`, each once (fresh data each). `totalItems`: what every answer of a list
 * must carry. `onWarm` runs between the warm-up and the measured span.
 */
export type Job = {
  processes: { pid: number; port: number }[];
  backends?: () => Promise<number[]>;
  connections: number;
  requests: RequestSpec[];
  once: boolean;
  expect: number;
  totalItems?: number;
  warmup: Span;
  measure: Span;
  onWarm?: () => void;
};

const HARD_LIMIT_SECONDS = 30; // past the spans' maxSeconds the target hangs: stop anyway

/** Nearest rank; NaN for none. */
const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;

/**
 * One window: the warm-up, then the measured span, on the same connections. `errors`: answers with
 * another status or a wrong `total_items`, warm-up included; `cpu` (seconds: of the target's
 * processes, of its PostgreSQL backends or NaN, of this process, of the whole machine) covers the
 * measured span only; `exhausted`: the `once` requests ran out before its end.
 */
export async function generate(job: Job) {
  let [errors, firstError] = [0, undefined as string | undefined];
  const fail = (problem: string): void => {
    errors += 1;
    firstError ??= problem;
  };
  const check = (status: number, body: string): void => {
    if (status !== job.expect) fail(`${status} ${body.slice(0, 300)}`);
    else if (job.totalItems !== undefined) {
      const total = (JSON.parse(body) as { total_items?: unknown }).total_items;
      if (total !== job.totalItems) fail(`total_items ${String(total)}, expected ${job.totalItems}`);
    }
  };
  // The backends are listed at the start and the end of the span: one that appeared in between
  // counts whole, one that vanished is lost.
  const backends = async () => new Map((await job.backends?.())?.map((pid) => [pid, cpuSeconds(pid)]));
  const sample = ({ user, system } = process.cpuUsage()) => ({
    at: performance.now(),
    server: job.processes.reduce((sum, p) => sum + cpuSeconds(p.pid), 0),
    database: job.backends ? backends() : undefined,
    generator: (user + system) / 1e6,
    machine: machineBusySeconds(),
  });
  let [latencies, started, next] = [[] as number[], performance.now(), 0];
  type Sample = ReturnType<typeof sample>;
  let [before, after] = [undefined as Sample | undefined, undefined as Sample | undefined];
  const over = (answers: number): boolean => {
    const { seconds, minRequests = 0, maxSeconds = seconds } = before ? job.measure : job.warmup;
    const elapsed = (performance.now() - started) / 1000;
    return (elapsed >= seconds && answers >= minRequests) || elapsed >= maxSeconds;
  };
  // What is sampled at the start and the stop and the answers counted cover the same span.
  const measure = (): void => {
    job.onWarm?.();
    [latencies, before] = [[], sample()];
    started = before.at;
  };
  if (over(0)) measure();
  const limit = (job.warmup.maxSeconds ?? job.warmup.seconds) + (job.measure.maxSeconds ?? job.measure.seconds);
  await new Promise<void>((resolve, reject) => {
    const instance = start(
      {
        url: job.processes.map((p) => `http://127.0.0.1:${p.port}`),
        connections: job.connections,
        pipelining: 1,
        timeout: 60,
        sampleInt: 100, // milliseconds; a stop() takes effect at the next sample
        duration: limit + HARD_LIMIT_SECONDS,
        ...(job.once ? { amount: job.requests.length } : {}),
        requests: [
          {
            setupRequest: (request: object) => ({ ...request, ...job.requests[next++ % job.requests.length] }),
            onResponse: check,
          },
        ],
        skipAggregateResult: true,
      },
      (error) => {
        clearTimeout(hardLimit);
        return error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve();
      },
    );
    const stopNow = (): void => {
      after ??= sample();
      instance.stop();
    };
    const hardLimit = setTimeout(stopNow, (limit + HARD_LIMIT_SECONDS) * 1000);
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      if (after !== undefined) return;
      latencies.push(responseTime);
      if (over(latencies.length)) before ? stopNow() : measure();
    });
    instance.on('reqError', (error) => fail(`request failed: ${error.message}`));
  });
  const end = after ?? sample();
  const first = before ?? end;
  const sorted = latencies.sort((a, b) => a - b);
  const [databaseBefore, databaseAfter] = [await first.database, await end.database];
  const seconds = (end.at - started) / 1000;
  return {
    requests: sorted.length,
    seconds,
    requestsPerSecond: sorted.length / seconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    errors,
    firstError,
    cpu: {
      server: end.server - first.server,
      database: databaseAfter
        ? [...databaseAfter].reduce((sum, [pid, cpu]) => sum + cpu - (databaseBefore?.get(pid) ?? 0), 0)
        : Number.NaN,
      generator: end.generator - first.generator,
      machine: end.machine - first.machine,
    },
    exhausted: after === undefined,
  };
}
export type Measurement = Awaited<ReturnType<typeof generate>>;

/** The progress line of a window. */
export const summaryOf = (m: Measurement): string =>
  `${m.requestsPerSecond.toFixed(0)} req/s, p50 ${m.p50.toFixed(2)} ms` +
  `${m.errors > 0 ? `, ${m.errors} unexpected answers (first: ${m.firstError})` : ''}` +
  `${m.exhausted ? ', ran out of the requests' : ''}`;
