// The measured phases of a sitting: rounds of every workload on every target, the
// guest-connections list shapes at two sizes, the statements per request, the memory check.
import pg from 'pg';
import { expectedTotals, fixtures } from './data.js';
import type { PostgresDatabase } from './databases.js';
import type { Generator, Job, Outcome, RequestSpec, Span } from './generator.js';
import { processCpuSeconds, residentBytes } from './proc.js';
import type { StatementCounter } from './statements.js';
import { origins, pids, type Target, type TargetName } from './targets.js';
import {
  EXPECTED_STATUS,
  LIST_SHAPES,
  LIST_SIZES,
  constantRequest,
  getRequest,
  guestListRequest,
  listRequest,
  postRequest,
  type ListShape,
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
    if (this.#next + count - 1 > this.size) throw new Error(`only ${this.size} fresh guests were loaded; ${this.#next - 1 + count} needed`);
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
    start: (): void => void (before = sample()),
    async seconds(): Promise<number> {
      const [a, b] = [await before, await sample()];
      let total = 0;
      // A backend that appeared in between counts whole; one that vanished is lost.
      for (const [pid, seconds] of b) total += seconds - (a?.get(pid) ?? 0);
      return total;
    },
  };
}

async function measured(sitting: Sitting, target: Target, job: Job): Promise<{ outcome: Outcome; databaseCpuSeconds: number | undefined }> {
  const probe = target.engine === 'postgres' ? databaseCpu(sitting.postgres) : undefined;
  const outcome = await sitting.generator.run(job, () => probe?.start());
  return { outcome, databaseCpuSeconds: await probe?.seconds() };
}

const span = (seconds: number): Span => ({ seconds, minRequests: 0, maxSeconds: seconds });

function report(sitting: Sitting, window: Window): Window {
  const { outcome: o } = window;
  sitting.progress(
    `[run ${window.run + 1}] ${window.target} ${window.workload}: ${o.requestsPerSecond.toFixed(0)} req/s, ` +
      `p50 ${o.p50.toFixed(2)} ms, p99 ${o.p99.toFixed(2)} ms, ${o.requests} measured in ${o.seconds.toFixed(1)} s` +
      (o.errors > 0 ? `, ${o.errors} unexpected answers (first: ${o.firstError})` : '') +
      (o.exhausted ? ', ran out of fresh guests' : ''),
  );
  return window;
}

function workloadRequests(sitting: Sitting, target: Target, workload: Workload | 'constant'): { requests: RequestSpec[]; once: boolean } {
  const { base } = target;
  if (workload === 'constant') return { requests: [constantRequest], once: false };
  if (workload === 'get') return { requests: [getRequest(base, sitting.sign)], once: false };
  if (workload === 'list') return { requests: [listRequest(base, sitting.sign)], once: false };
  const guests = sitting.guests.get(target.name);
  // Prism keeps nothing: the same request will do every time.
  if (guests === undefined) return { requests: [postRequest(base, sitting.sign, 1)], once: false };
  return { requests: guests.pool.take(guests.perWindow).map((i) => postRequest(base, sitting.sign, i)), once: true };
}

export async function measureWorkload(sitting: Sitting, target: Target, workload: Workload | 'constant', run: number): Promise<Window> {
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
  return report(sitting, { target: target.name, workload, run, connections: options.connections, ...(await measured(sitting, target, job)) });
}

/** What `total_items` must be, per size and shape, from a count of our own. */
export async function listTotals(database: PostgresDatabase): Promise<Record<ListSize, Map<string, number>>> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const searches = LIST_SHAPES.flatMap((shape) => (shape.search === undefined ? [] : [shape.search]));
    const totals = {} as Record<ListSize, Map<string, number>>;
    for (const size of LIST_SIZES) {
      const host = size === 'large' ? fixtures.largeHost : fixtures.smallHost;
      const counted = await expectedTotals((sql, params) => client.query(sql, params), host.organizationId, searches);
      const total = (shape: ListShape): number => (shape.search === undefined ? counted.all : (counted.search[searches.indexOf(shape.search)] ?? Number.NaN));
      totals[size] = new Map(LIST_SHAPES.map((shape) => [shape.name, total(shape)]));
    }
    return totals;
  } finally {
    await client.end();
  }
}

/** At least this many answers per list shape, however slow. */
const LIST_MIN_REQUESTS = 3;

export const listWorkload = (options: Options, size: ListSize, shape: ListShape): string =>
  `guest list ${options.listSizes[size].toLocaleString('en-US')}: ${shape.name}`;

/**
 * Every list shape at both sizes, one request at a time: the targets are latencies of one
 * request, and at 16 in flight the p50 would be mostly queueing. Shape by shape, 10,000 then
 * 1,000,000, so a drift of the machine hits both sizes alike.
 */
export async function measureLists(sitting: Sitting, totals: Record<ListSize, Map<string, number>>): Promise<Window[]> {
  const target = sitting.targets.get('server-postgres');
  if (target === undefined) return [];
  const windows: Window[] = [];
  for (const [index, shape] of LIST_SHAPES.entries()) {
    for (const size of LIST_SIZES) {
      const seconds = sitting.options.listSeconds[size];
      const job: Job = {
        origins: origins(target),
        connections: 1,
        requests: [guestListRequest(target.base, sitting.sign, size, shape)],
        once: false,
        expect: 200,
        totalItems: totals[size].get(shape.name),
        // The first shape warms the caches for all; each 10,000 shape gets a short warm-up of its own.
        warmup: size === 'large' ? { seconds: 0, minRequests: index === 0 ? 1 : 0, maxSeconds: index === 0 ? 60 : 0 } : span(0.2),
        measure: { seconds, minRequests: LIST_MIN_REQUESTS, maxSeconds: seconds * 3 },
        pids: pids(target),
      };
      windows.push(report(sitting, { target: target.name, workload: listWorkload(sitting.options, size, shape), run: 0, connections: 1, ...(await measured(sitting, target, job)) }));
    }
  }
  return windows;
}

export interface StatementCount {
  target: TargetName;
  workload: string;
  perRequest: number;
  /** The SQL of one request, in the order sent. */
  sql: string[];
}

/** An instance of its own whose PostgreSQL traffic goes through a statement counter. */
export interface Counted {
  target: Target;
  counter: StatementCounter;
}

interface CountedWorkload {
  name: string;
  expect: number;
  /** How many requests are counted (after two warm-up requests), and the requests to send. */
  times: number;
  requests(count: number): RequestSpec[];
}

/**
 * Statements per request, one request at a time through the counting proxy. The list shapes
 * run on the server only (the bare handlers do the three main workloads) and at 10,000: the
 * requests at 1,000,000 differ by the host's id only.
 */
export async function measureStatements(sitting: Sitting, counted: { server: Counted; bare: Counted }): Promise<StatementCount[]> {
  const { sign } = sitting;
  const repeat = (spec: RequestSpec) => (count: number) => Array.from({ length: count }, () => spec);
  const main: CountedWorkload[] = [
    { name: 'get', expect: 200, times: 10, requests: repeat(getRequest('/v1', sign)) },
    { name: 'list', expect: 200, times: 10, requests: repeat(listRequest('/v1', sign)) },
    { name: 'post', expect: 201, times: 10, requests: (count) => sitting.countingGuests.take(count).map((i) => postRequest('/v1', sign, i)) },
  ];
  const shapes: CountedWorkload[] = LIST_SHAPES.map((shape) => ({
    name: `guest list: ${shape.name}`,
    expect: 200,
    times: 2,
    requests: repeat(guestListRequest('/v1', sign, 'small', shape)),
  }));
  const counts: StatementCount[] = [];
  for (const [{ target, counter }, workloads] of [[counted.server, [...main, ...shapes]], [counted.bare, main]] as const) {
    for (const workload of workloads) {
      const job = (requests: RequestSpec[]): Job => ({
        origins: origins(target),
        connections: 1,
        requests,
        once: true,
        expect: workload.expect,
        warmup: { seconds: 0, minRequests: 0, maxSeconds: 0 },
        measure: { seconds: 0, minRequests: requests.length, maxSeconds: 120 },
        pids: pids(target),
      });
      const warm = await sitting.generator.run(job(workload.requests(2)));
      counter.take();
      const outcome = await sitting.generator.run(job(workload.requests(workload.times)));
      const { count, sql } = counter.take();
      const errors = warm.errors + outcome.errors;
      if (errors > 0) throw new Error(`counting ${workload.name} on ${target.name}: ${errors} unexpected answers (first: ${warm.firstError ?? outcome.firstError})`);
      const perRequest = count / workload.times;
      counts.push({ target: target.name, workload: workload.name, perRequest, sql: sql.slice(0, Math.round(perRequest)) });
      sitting.progress(`[statements] ${target.name} ${workload.name}: ${perRequest} per request`);
    }
  }
  return counts;
}

export interface Memory {
  target: TargetName;
  workload: string;
  requests: number;
  /** Resident memory in bytes: before the requests (after a warm-up), the highest seen, after them. */
  before: number;
  peak: number;
  after: number;
}

/** RSS of the server on PostgreSQL before and after `memoryRequests` requests of one workload. */
export async function measureMemory(sitting: Sitting): Promise<{ memory: Memory; window: Window } | undefined> {
  const target = sitting.targets.get('server-postgres');
  const pid = target?.processes[0]?.pid;
  if (target === undefined || pid === undefined) return undefined;
  let before = Number.NaN;
  let peak = 0;
  const watch = setInterval(() => (peak = Math.max(peak, residentBytes(pid))), 500);
  const job: Job = {
    origins: origins(target),
    connections: sitting.options.connections,
    requests: [getRequest(target.base, sitting.sign)],
    once: false,
    expect: 200,
    warmup: span(sitting.options.warmup),
    measure: { seconds: 0, minRequests: sitting.options.memoryRequests, maxSeconds: 600 },
    pids: [pid],
  };
  try {
    const outcome = await sitting.generator.run(job, () => {
      before = residentBytes(pid);
    });
    const after = residentBytes(pid);
    const window = report(sitting, { target: target.name, workload: 'memory: get', run: 0, connections: job.connections, outcome, databaseCpuSeconds: undefined });
    return { memory: { target: target.name, workload: 'get', requests: outcome.requests, before, peak: Math.max(peak, after), after }, window };
  } finally {
    clearInterval(watch);
  }
}
