// The load generator: autocannon's programmatic API in the bench's own process (apart from the
// servers; the orchestrator is idle while a window runs). Closed loop, keep-alive, no pipelining.
// Latencies come from each response: autocannon's own histogram keeps whole milliseconds only.
import autocannon from 'autocannon';
import { cpuSeconds, machineBusySeconds, type Process } from './processes.js';

export type RequestSpec = {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  headers: Record<string, string>;
  body?: string;
};
/** A phase ends once `seconds` have passed and `minRequests` are answered, or at `maxSeconds`. */
export type Span = { seconds: number; minRequests: number; maxSeconds: number };
export const span = (seconds: number): Span => ({ seconds, minRequests: 0, maxSeconds: seconds });

/**
 * `processes`: the target's, the connections spread over them, their CPU measured. `requests`
 * are sent again and again; with `once`, each once, in order (fresh data each). `totalItems`:
 * what every answer of a list must carry.
 */
export type Job = {
  processes: Pick<Process, 'pid' | 'port'>[];
  connections: number;
  requests: RequestSpec[];
  once: boolean;
  expect: number;
  totalItems?: number;
  warmup: Span;
  measure: Span;
};

type Sample = { server: number; generator: number; machine: number };
/**
 * `errors`: answers with another status or a wrong `total_items`, warm-up included; the CPU
 * seconds cover the measured span only; `exhausted`: the `once` requests ran out before its end.
 */
export type Measurement = { requests: number; seconds: number; requestsPerSecond: number; p50: number; p99: number } & {
  errors: number;
  firstError: string | undefined;
  serverCpuSeconds: number;
  generatorCpuSeconds: number;
  machineBusySeconds: number;
  exhausted: boolean;
};

const HARD_LIMIT_SECONDS = 30; // past a span's maxSeconds the target hangs: stop anyway
type Tally = Pick<Measurement, 'errors' | 'firstError'>;

/** One autocannon run until `span` says stop; `cursor` is where the next `once` request comes from. */
function phase(job: Job, span: Span, cursor: { next: number }, tally: Tally, sample: () => Sample) {
  const fail = (problem: string): void => {
    tally.errors += 1;
    tally.firstError ??= problem;
  };
  const check = (status: number, body: string): void => {
    if (status !== job.expect) fail(`${status} ${body.slice(0, 300)}`);
    else if (job.totalItems !== undefined) {
      const total = (JSON.parse(body) as { total_items?: unknown }).total_items;
      if (total !== job.totalItems) fail(`total_items ${String(total)}, expected ${job.totalItems}`);
    }
  };
  const latencies: number[] = [];
  const started = performance.now();
  let stopped: { at: number; end: Sample } | undefined;
  const remaining = job.requests.length - cursor.next;
  const request = job.once
    ? { setupRequest: (req: object) => ({ ...req, ...job.requests[Math.min(cursor.next++, job.requests.length - 1)] }) }
    : job.requests[0];
  return new Promise<{ latencies: number[]; seconds: number; exhausted: boolean; end: Sample }>((resolve, reject) => {
    const instance = autocannon(
      {
        url: job.processes.map((p) => `http://127.0.0.1:${p.port}`),
        connections: Math.min(job.connections, job.once ? remaining : job.connections),
        pipelining: 1,
        timeout: 60,
        sampleInt: 100,
        duration: span.maxSeconds + HARD_LIMIT_SECONDS,
        ...(job.once ? { amount: remaining } : {}),
        requests: [{ ...request, onResponse: check }],
        skipAggregateResult: true,
      },
      (error) => {
        clearTimeout(hardLimit);
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        const seconds = ((stopped?.at ?? performance.now()) - started) / 1000;
        resolve({ latencies, seconds, exhausted: stopped === undefined, end: stopped?.end ?? sample() });
      },
    );
    // What is sampled at the stop and the answers counted cover the same span.
    const stopNow = (): void => {
      if (stopped !== undefined) return;
      stopped = { at: performance.now(), end: sample() };
      instance.stop();
    };
    const hardLimit = setTimeout(stopNow, (span.maxSeconds + HARD_LIMIT_SECONDS) * 1000);
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      if (stopped !== undefined) return;
      latencies.push(responseTime);
      const elapsed = (performance.now() - started) / 1000;
      if ((elapsed >= span.seconds && latencies.length >= span.minRequests) || elapsed >= span.maxSeconds) stopNow();
    });
    instance.on('reqError', (error) => fail(`request failed: ${error.message}`));
  });
}

/** Nearest rank; NaN for none. */
const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;

/** One job: its warm-up, then `onWarm`, then its measured span (the target's CPU read from /proc around it). */
export async function generate(job: Job, onWarm = () => {}): Promise<Measurement> {
  const cursor = { next: 0 };
  const tally: Tally = { errors: 0, firstError: undefined };
  const sample = ({ user, system } = process.cpuUsage()): Sample => ({
    server: job.processes.reduce((sum, p) => sum + cpuSeconds(p.pid), 0),
    generator: (user + system) / 1e6,
    machine: machineBusySeconds(),
  });
  if (job.warmup.maxSeconds > 0) await phase(job, job.warmup, cursor, tally, () => sample());
  onWarm();
  const before = sample();
  const { latencies, seconds, exhausted, end: after } = await phase(job, job.measure, cursor, tally, () => sample());
  const sorted = latencies.sort((a, b) => a - b);
  return {
    requests: sorted.length,
    seconds,
    requestsPerSecond: sorted.length / seconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    ...tally,
    serverCpuSeconds: after.server - before.server,
    generatorCpuSeconds: after.generator - before.generator,
    machineBusySeconds: after.machine - before.machine,
    exhausted,
  };
}
