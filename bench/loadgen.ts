// The load generator process (started by bench/generator.ts): autocannon, closed loop, one
// job at a time. Latencies are taken from each response (autocannon's own histogram keeps
// whole milliseconds only); the CPU of the target's processes is read from /proc at the
// start and the end of the measured span.
import autocannon from 'autocannon';
import type { Job, Outcome, RequestSpec, Span } from './generator.js';
import { machineBusySeconds, processCpuSeconds } from './proc.js';

const HARD_LIMIT_SECONDS = 30; // past a span's maxSeconds: the target hangs; stop anyway
const REQUEST_TIMEOUT_SECONDS = 60;

interface Tally {
  errors: number;
  statuses: Record<string, number>;
  firstError: string | undefined;
}

/** Where the next `once` request comes from; shared by the warm-up and the measured span. */
type Cursor = { next: number };

function check(job: Job, tally: Tally, status: number, body: string): void {
  tally.statuses[status] = (tally.statuses[status] ?? 0) + 1;
  let problem: string | undefined;
  if (status !== job.expect) problem = `${status} ${body.slice(0, 300)}`;
  else if (job.totalItems !== undefined) {
    const total = (JSON.parse(body) as { total_items?: unknown }).total_items;
    if (total !== job.totalItems) problem = `total_items ${String(total)}, expected ${job.totalItems}`;
  }
  if (problem === undefined) return;
  tally.errors += 1;
  tally.firstError ??= problem;
}

function asRequest(spec: RequestSpec) {
  return {
    method: spec.method,
    path: spec.path,
    headers: spec.headers,
    ...(spec.body === undefined ? {} : { body: spec.body }),
  };
}

/** One autocannon run until `span` says stop; the latencies of the answers within it. */
function phase<S>(
  job: Job,
  span: Span,
  cursor: Cursor,
  tally: Tally,
  sample: () => S,
): Promise<{ latencies: number[]; seconds: number; exhausted: boolean; end: S }> {
  const latencies: number[] = [];
  const started = performance.now();
  let stoppedAt: number | undefined;
  let end: S | undefined;
  const remaining = job.requests.length - cursor.next;
  const request = job.once
    ? {
        setupRequest: (req: object) => ({
          ...req,
          ...asRequest(job.requests[Math.min(cursor.next++, job.requests.length - 1)] as RequestSpec),
        }),
        onResponse: (status: number, body: string) => check(job, tally, status, body),
      }
    : {
        ...asRequest(job.requests[0] as RequestSpec),
        onResponse: (status: number, body: string) => check(job, tally, status, body),
      };
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: job.origins,
        connections: Math.min(job.connections, job.once ? remaining : job.connections),
        pipelining: 1,
        timeout: REQUEST_TIMEOUT_SECONDS,
        sampleInt: 100,
        duration: span.maxSeconds + HARD_LIMIT_SECONDS,
        ...(job.once ? { amount: remaining } : {}),
        requests: [request],
        skipAggregateResult: true,
      },
      (error) => {
        clearTimeout(hardLimit);
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        const exhausted = stoppedAt === undefined;
        resolve({
          latencies,
          seconds: ((stoppedAt ?? performance.now()) - started) / 1000,
          exhausted,
          end: end ?? sample(),
        });
      },
    );
    // What is sampled at the stop, and the answers counted, cover the same span.
    const stop = (): void => {
      if (stoppedAt !== undefined) return;
      stoppedAt = performance.now();
      end = sample();
      instance.stop();
    };
    const hardLimit = setTimeout(stop, (span.maxSeconds + HARD_LIMIT_SECONDS) * 1000);
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      if (stoppedAt !== undefined) return;
      latencies.push(responseTime);
      const elapsed = (performance.now() - started) / 1000;
      if ((elapsed >= span.seconds && latencies.length >= span.minRequests) || elapsed >= span.maxSeconds) stop();
    });
    instance.on('reqError', (error: Error) => {
      tally.errors += 1;
      tally.firstError ??= `request failed: ${error.message}`;
    });
  });
}

/** Nearest-rank percentile; NaN for none. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;
}

const cpuOf = (pids: number[]): number => pids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0);
const ownCpu = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

async function run(job: Job, warm: () => void): Promise<Outcome> {
  const cursor: Cursor = { next: 0 };
  const tally: Tally = { errors: 0, statuses: {}, firstError: undefined };
  const sample = () => ({ server: cpuOf(job.pids), generator: ownCpu(), machine: machineBusySeconds() });
  if (job.warmup.maxSeconds > 0) await phase(job, job.warmup, cursor, tally, () => undefined);
  warm();
  const before = sample();
  const measured = await phase(job, job.measure, cursor, tally, sample);
  const after = measured.end;
  const sorted = measured.latencies.sort((a, b) => a - b);
  return {
    requests: sorted.length,
    seconds: measured.seconds,
    requestsPerSecond: sorted.length / measured.seconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    ...tally,
    serverCpuSeconds: after.server - before.server,
    generatorCpuSeconds: after.generator - before.generator,
    machineBusySeconds: after.machine - before.machine,
    exhausted: measured.exhausted,
  };
}

process.on('message', (message: { id: number; job: Job }) => {
  run(message.job, () => process.send?.({ id: message.id, warm: true })).then(
    (outcome) => process.send?.({ id: message.id, outcome }),
    (error: unknown) =>
      process.send?.({ id: message.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
process.on('SIGTERM', () => process.exit(0));
