// A measured window of one workload on one target, and what every phase of a sitting shares.
import type { PostgresDatabase } from './databases.js';
import type { Generator, Job, Outcome, RequestSpec, Span } from './generator.js';
import { processCpuSeconds } from './proc.js';
import { origins, pids, type Target, type TargetName } from './targets.js';
import {
  EXPECTED_STATUS,
  constantRequest,
  getRequest,
  listRequest,
  postRequest,
  type ListSize,
  type Sign,
  type Workload,
} from './workloads.js';

export interface Options {
  runs: number;
  warmup: number;
  seconds: number;
  connections: number;
  /** Connections of the two guest-connections lists, and the measured seconds per shape on each. */
  listSizes: Record<ListSize, number>;
  listSeconds: Record<ListSize, number>;
  memoryRequests: number;
}

/** Fresh guests for POST, a range of the loaded ones; each database has its own. */
export class GuestPool {
  #next = 1;
  constructor(readonly size: number) {}
  take(count: number): number[] {
    if (this.#next + count - 1 > this.size)
      throw new Error(`only ${this.size} fresh guests were loaded; ${this.#next - 1 + count} needed`);
    const first = this.#next;
    this.#next += count;
    return Array.from({ length: count }, (_, i) => first + i);
  }
}

export interface Sitting {
  generator: Generator;
  targets: Map<TargetName, Target>;
  postgres: PostgresDatabase;
  sign: Sign;
  options: Options;
  /** Fresh guests for each target that creates connections, and how many one window needs. */
  guests: Map<TargetName, { pool: GuestPool; perWindow: number }>;
  /** Fresh guests on PostgreSQL for the statement counting. */
  countingGuests: GuestPool;
  progress(line: string): void;
}

export interface Window {
  target: TargetName;
  workload: string;
  run: number;
  connections: number;
  outcome: Outcome;
  /** CPU of the PostgreSQL backends of the scratch database over the measured span. */
  databaseCpuSeconds: number | undefined;
}

/** CPU of the scratch database's backends, from the warm-up's end to the outcome. */
function databaseCpu(database: PostgresDatabase) {
  let before: Promise<Map<number, number>> | undefined;
  const sample = async (): Promise<Map<number, number>> =>
    new Map((await database.backendPids()).map((pid) => [pid, processCpuSeconds(pid)]));
  return {
    start(): void {
      before = sample();
    },
    async seconds(): Promise<number> {
      const [a, b] = [await before, await sample()];
      let total = 0;
      // A backend that appeared in between counts whole; one that vanished is lost.
      for (const [pid, seconds] of b) total += seconds - (a?.get(pid) ?? 0);
      return total;
    },
  };
}

export async function measured(
  sitting: Sitting,
  target: Target,
  job: Job,
): Promise<{ outcome: Outcome; databaseCpuSeconds: number | undefined }> {
  const probe = target.engine === 'postgres' ? databaseCpu(sitting.postgres) : undefined;
  const outcome = await sitting.generator.run(job, () => probe?.start());
  return { outcome, databaseCpuSeconds: await probe?.seconds() };
}

export const span = (seconds: number): Span => ({ seconds, minRequests: 0, maxSeconds: seconds });

export function report(sitting: Sitting, window: Window): Window {
  const { outcome: o } = window;
  sitting.progress(
    `[run ${window.run + 1}] ${window.target} ${window.workload}: ${o.requestsPerSecond.toFixed(0)} req/s, ` +
      `p50 ${o.p50.toFixed(2)} ms, p99 ${o.p99.toFixed(2)} ms, ${o.requests} measured in ${o.seconds.toFixed(1)} s` +
      (o.errors > 0 ? `, ${o.errors} unexpected answers (first: ${o.firstError})` : '') +
      (o.exhausted ? ', ran out of fresh guests' : ''),
  );
  return window;
}

function workloadRequests(
  sitting: Sitting,
  target: Target,
  workload: Workload | 'constant',
): { requests: RequestSpec[]; once: boolean } {
  const { base } = target;
  if (workload === 'constant') return { requests: [constantRequest], once: false };
  if (workload === 'get') return { requests: [getRequest(base, sitting.sign)], once: false };
  if (workload === 'list') return { requests: [listRequest(base, sitting.sign)], once: false };
  const guests = sitting.guests.get(target.name);
  // Prism keeps nothing: the same request will do every time.
  if (guests === undefined) return { requests: [postRequest(base, sitting.sign, 1)], once: false };
  return { requests: guests.pool.take(guests.perWindow).map((i) => postRequest(base, sitting.sign, i)), once: true };
}

export async function measureWorkload(
  sitting: Sitting,
  target: Target,
  workload: Workload | 'constant',
  run: number,
): Promise<Window> {
  const { options } = sitting;
  const job: Job = {
    origins: origins(target),
    connections: options.connections,
    ...workloadRequests(sitting, target, workload),
    expect: workload === 'constant' ? 200 : EXPECTED_STATUS[workload],
    warmup: span(options.warmup),
    measure: span(options.seconds),
    pids: pids(target),
  };
  return report(sitting, {
    target: target.name,
    workload,
    run,
    connections: options.connections,
    ...(await measured(sitting, target, job)),
  });
}
