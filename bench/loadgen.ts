// The load generator: autocannon's programmatic API in the bench's own process (apart from the
// servers; the orchestrator is idle while a window runs). Closed loop, keep-alive, no pipelining.
// Latencies come from each response: autocannon's own histogram keeps whole milliseconds only.
import autocannon from 'autocannon';
import { cpuSeconds, machineBusySeconds } from './processes.js';

type Instance = {
  stop(): void;
  on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): Instance;
  on(event: 'reqError', listener: (error: Error) => void): Instance;
};
const start = autocannon as (options: object, done: (error: unknown) => void) => Instance;

export type RequestSpec = { method: 'GET' | 'POST' | 'PATCH'; path: string; headers: Record<string, string> } & {
  body?: string;
};
/** A span ends once `seconds` have passed and `minRequests` are answered, or at `maxSeconds` (default: `seconds`). */
export type Span = { seconds: number; minRequests?: number; maxSeconds?: number };

/**
 * `processes`: the target's, the connections spread over them, their CPU measured. `requests`
 * are sent in turn, again and again; with `once`, each once (fresh data each). `totalItems`:
 * what every answer of a list must carry. `onWarm` runs between the warm-up and the measured span.
 */
export type Job = {
  processes: { pid: number; port: number }[];
  connections: number;
  requests: RequestSpec[];
  once: boolean;
  expect: number;
  totalItems?: number;
  warmup: Span;
  measure: Span;
  onWarm?: () => void;
};

/** CPU seconds: of the target's processes, of this process (the generator), of the whole machine. */
type Cpu = { server: number; generator: number; machine: number };
/**
 * `errors`: answers with another status or a wrong `total_items`, warm-up included; `cpu` covers
 * the measured span only; `exhausted`: the `once` requests ran out before its end.
 */
export type Measurement = { requests: number; seconds: number; requestsPerSecond: number; p50: number; p99: number } & {
  errors: number;
  firstError: string | undefined;
  cpu: Cpu;
  exhausted: boolean;
};

const HARD_LIMIT_SECONDS = 30; // past the spans' maxSeconds the target hangs: stop anyway

/** Nearest rank; NaN for none. */
const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;

/** One window: the warm-up, then the measured span, on the same connections (the target's CPU read from /proc around it). */
export function generate(job: Job): Promise<Measurement> {
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
  const sample = ({ user, system } = process.cpuUsage()): Cpu => ({
    server: job.processes.reduce((sum, p) => sum + cpuSeconds(p.pid), 0),
    generator: (user + system) / 1e6,
    machine: machineBusySeconds(),
  });
  const over = (span: Span, elapsed: number, answers: number): boolean =>
    (elapsed >= span.seconds && answers >= (span.minRequests ?? 0)) || elapsed >= (span.maxSeconds ?? span.seconds);
  let latencies: number[] = [];
  let [started, next] = [performance.now(), 0];
  let measuring: { before: Cpu } | undefined;
  let stopped: { at: number; after: Cpu } | undefined;
  // What is sampled at the start and the stop and the answers counted cover the same span.
  const measure = (): void => {
    job.onWarm?.();
    [latencies, started, measuring] = [[], performance.now(), { before: sample() }];
  };
  if (over(job.warmup, 0, 0)) measure();
  const limit = (job.warmup.maxSeconds ?? job.warmup.seconds) + (job.measure.maxSeconds ?? job.measure.seconds);
  return new Promise((resolve, reject) => {
    const instance = start(
      {
        url: job.processes.map((p) => `http://127.0.0.1:${p.port}`),
        connections: Math.min(job.connections, job.once ? job.requests.length : job.connections),
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
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        const end = stopped ?? { at: performance.now(), after: sample() };
        const { before } = measuring ?? { before: end.after };
        const seconds = (end.at - started) / 1000;
        const sorted = latencies.sort((a, b) => a - b);
        resolve({
          requests: sorted.length,
          seconds,
          requestsPerSecond: sorted.length / seconds,
          p50: percentile(sorted, 0.5),
          p99: percentile(sorted, 0.99),
          errors,
          firstError,
          cpu: {
            server: end.after.server - before.server,
            generator: end.after.generator - before.generator,
            machine: end.after.machine - before.machine,
          },
          exhausted: stopped === undefined,
        });
      },
    );
    const stopNow = (): void => {
      if (stopped !== undefined) return;
      stopped = { at: performance.now(), after: sample() };
      instance.stop();
    };
    const hardLimit = setTimeout(stopNow, (limit + HARD_LIMIT_SECONDS) * 1000);
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      if (stopped !== undefined) return;
      latencies.push(responseTime);
      if (!over(measuring ? job.measure : job.warmup, (performance.now() - started) / 1000, latencies.length)) return;
      if (measuring) stopNow();
      else measure();
    });
    instance.on('reqError', (error) => fail(`request failed: ${error.message}`));
  });
}
