// One sitting: the data and every target first, then the statement counting, the rounds of
// every workload on every target, the list shapes at both sizes, and the memory check.
import { randomBytes } from 'node:crypto';
import { countStatements } from '../test/support/statements.js';
import * as data from './data.js';
import { generate, type Job, type Measurement, type RequestSpec, span } from './loadgen.js';
import { cpuSeconds, registerCleanup, residentBytes, stop, stopping } from './processes.js';
import { type Engine, startTarget, TARGET_NAMES, TARGETS, type Target, type TargetName } from './targets.js';
import { guestListRequest, LIST_SHAPES, type ListShape, type Sign, signer } from './workloads.js';
import { WORKLOAD_NAMES, WORKLOADS, type WorkloadName } from './workloads.js';

export const SMALL_LIST = 10_000;
export const WARMUP_SECONDS = 1;
export const CONNECTIONS = 16;
type Size = 'small' | 'large';
/** Measured seconds per list shape at each size. */
const LIST_SECONDS: Record<Size, number> = { small: 1, large: 2 };
export type Options = { runs: number; seconds: number; memoryRequests: number; listSizes: Record<Size, number> };
/** `databaseCpuSeconds`: of the scratch database's backends over the measured span (PostgreSQL targets). */
export type Window = { target: TargetName; workload: string; run: number; measured: Measurement } & {
  databaseCpuSeconds?: number;
};
/** `sql`: the statements of one request, in the order sent. */
export type StatementCount = { target: TargetName; workload: string; perRequest: number; sql: string[] };
/** Resident bytes of the server on PostgreSQL: after a warm-up, the highest seen, after the requests. */
export type Memory = { requests: number; before: number; peak: number; after: number };

/** What the phases share; `guests`: fresh guests (one pool on PostgreSQL, one per PGlite directory). */
/** `small`: server-postgres-10k's database, 10,000 connections of the large list's host. */
type Sitting = {
  options: Options;
  postgres: data.PostgresDatabase;
  small: data.PostgresDatabase;
  sign: Sign;
  guests: Map<TargetName, Pool>;
};
type Pool = (count: number) => number[];
type Counted = { target: Target; counter: Awaited<ReturnType<typeof countStatements>> };

const progress = (line: string): void => void process.stderr.write(`${line}\n`);
// The most requests with fresh guests per second a window can take before it runs out of them
// (it then ends early, and says so): well above the fastest seen here.
const FRESH_RATE_CAP: Record<Engine, number> = { postgres: 2500, pglite: 1500 };
const COUNTED_GUESTS = 2 * (2 + 10); // the statement counting's: 2 warm-up and 10 counted, twice
const freshPerWindow = (engine: Engine, seconds: number): number =>
  Math.ceil(FRESH_RATE_CAP[engine] * (WARMUP_SECONDS + seconds + 0.5));
const onEngine = (engine: Engine) => TARGET_NAMES.filter((name) => TARGETS[name].engine === engine);

function pool(size: number): Pool {
  let next = 1;
  return (count) => {
    if (next + count - 1 > size) throw new Error(`only ${size} fresh guests were loaded; ${next - 1 + count} needed`);
    next += count;
    return Array.from({ length: count }, (_, i) => next - count + i);
  };
}

/** One window; the CPU of the scratch database's backends is sampled around its measured span. */
async function measure(s: Sitting, target: Target, workload: string, run: number, job: Job, onWarm = () => {}) {
  const database =
    target.name === 'server-postgres-10k'
      ? s.small
      : TARGETS[target.name].engine === 'postgres'
        ? s.postgres
        : undefined;
  const backends = async () => new Map((await database?.backendPids())?.map((pid) => [pid, cpuSeconds(pid)]));
  let before: Promise<Map<number, number>> | undefined;
  const o = await generate(job, () => {
    onWarm();
    before = backends();
  });
  const [start, end] = [await before, await backends()];
  // A backend that appeared in between counts whole; one that vanished is lost.
  const cpu = [...end].reduce((sum, [pid, seconds]) => sum + seconds - (start?.get(pid) ?? 0), 0);
  const failed = `${o.errors > 0 ? `, ${o.errors} unexpected answers (first: ${o.firstError})` : ''}${o.exhausted ? ', ran out of fresh guests' : ''}`;
  progress(
    `[run ${run + 1}] ${target.name} ${workload}: ${o.requestsPerSecond.toFixed(0)} req/s, p50 ${o.p50.toFixed(2)} ms${failed}`,
  );
  return { target: target.name, workload, run, measured: o, databaseCpuSeconds: database && cpu } satisfies Window;
}

/** `count` requests of a workload, each with a fresh guest where it needs one (Prism keeps nothing: one does). */
function requestsOf(s: Sitting, target: Target, workload: WorkloadName, count: number): RequestSpec[] {
  const { fresh, cycle = 1, request } = WORKLOADS[workload];
  const guests =
    (fresh ? s.guests.get(target.name)?.(count) : undefined) ??
    Array.from({ length: fresh ? 1 : count }, (_, i) => (i % cycle) + 1);
  return guests.map((guest) => request(target.base, s.sign, guest));
}

/** A workload on a target, its warm-up and --seconds at 16 connections (or `measure`). */
function workloadJob(s: Sitting, target: Target, workload: WorkloadName, measure = span(s.options.seconds)): Job {
  const once = WORKLOADS[workload].fresh === true && s.guests.has(target.name);
  const count = once
    ? freshPerWindow(TARGETS[target.name].engine ?? 'postgres', s.options.seconds)
    : (WORKLOADS[workload].cycle ?? 1);
  const requests = requestsOf(s, target, workload, count);
  const job = {
    processes: target.processes,
    connections: CONNECTIONS,
    requests,
    once,
    expect: WORKLOADS[workload].expect,
  };
  return { ...job, warmup: span(WARMUP_SECONDS), measure };
}

/**
 * Statements per request, one request at a time, on instances of their own behind the counting
 * proxy: each workload 10 times after 2 warm-up requests, each list shape once after one
 * (on the server only, at 10,000: at the large size the requests differ by the host only).
 */
async function countStatementsPerRequest(s: Sitting, [server, bare]: [Counted, Counted]): Promise<StatementCount[]> {
  const main = ({ target }: Counted) =>
    WORKLOAD_NAMES.filter((w) => w !== 'constant').map((name) => {
      const [warm, counted] = [requestsOf(s, target, name, 2), requestsOf(s, target, name, 10)];
      return { name: name as string, expect: WORKLOADS[name].expect, warm, counted };
    });
  const shapes = LIST_SHAPES.map((shape) => {
    const spec = guestListRequest('/v1', s.sign, data.fixtures.smallHost, shape);
    return { name: `guest list: ${shape.name}`, expect: 200, warm: [spec], counted: [spec] };
  });
  const counts: StatementCount[] = [];
  for (const [{ target, counter }, list] of [
    [server, [...main(server), ...shapes]],
    [bare, main(bare).filter((w) => w.name !== 'patch')],
  ] as const) {
    for (const w of list) {
      const run = (requests: RequestSpec[]) => {
        const measure = { seconds: 0, minRequests: requests.length, maxSeconds: 120 };
        const job = { processes: target.processes, connections: 1, requests, once: true, expect: w.expect };
        return generate({ ...job, warmup: span(0), measure });
      };
      const warm = await run(w.warm);
      counter.take();
      const measured = await run(w.counted);
      const { count, sql } = counter.take();
      if (warm.errors + measured.errors > 0)
        throw new Error(`counting ${w.name} on ${target.name}: ${warm.firstError ?? measured.firstError}`);
      const perRequest = count / w.counted.length;
      counts.push({ target: target.name, workload: w.name, perRequest, sql: sql.slice(0, Math.round(perRequest)) });
      progress(`[statements] ${target.name} ${w.name}: ${perRequest} per request`);
    }
  }
  return counts;
}

export const listWorkload = (options: Options, size: Size, shape: ListShape): string =>
  `guest list ${options.listSizes[size].toLocaleString('en-US')}: ${shape.name}`;

/**
 * Every list shape at both sizes on the server on PostgreSQL, one request at a time (the targets
 * are latencies of one request; at 16 in flight the p50 would be mostly queueing), shape by
 * shape, small then large, so a drift of the machine hits both alike. At least 3 answers, unless
 * that takes over twice the seconds; every `total_items` checked against a count of our own.
 */
async function measureLists(s: Sitting, target: Target): Promise<Window[]> {
  const windows: Window[] = [];
  for (const [index, shape] of LIST_SHAPES.entries()) {
    for (const size of ['small', 'large'] as const) {
      stopping.throwIfAborted();
      const host = size === 'large' ? data.fixtures.largeHost : data.fixtures.smallHost;
      const first = index === 0 ? 1 : 0; // the first shape warms the caches for all; each small one warms itself
      const job: Job = {
        processes: target.processes,
        connections: 1,
        requests: [guestListRequest(target.base, s.sign, host, shape)],
        once: false,
        expect: 200,
        totalItems: await data.expectedTotal(s.postgres, host.organizationId, shape),
        warmup: size === 'small' ? span(0.2) : { seconds: 0, minRequests: first, maxSeconds: first * 60 },
        measure: { seconds: LIST_SECONDS[size], minRequests: 3, maxSeconds: LIST_SECONDS[size] * 2 },
      };
      windows.push(await measure(s, target, listWorkload(s.options, size, shape), 0, job));
    }
  }
  return windows;
}

/** RSS of the server on PostgreSQL around --memory-requests × GET, or as many as `maxSeconds` allow. */
async function measureMemory(s: Sitting, target: Target, maxSeconds: number) {
  const pid = target.processes[0]?.pid ?? 0;
  let before = Number.NaN;
  let peak = 0;
  const watch = setInterval(() => (peak = Math.max(peak, residentBytes(pid) || 0)), 500);
  const job = workloadJob(s, target, 'get', { seconds: 0, minRequests: s.options.memoryRequests, maxSeconds });
  try {
    const window = await measure(s, target, 'memory: get', 0, job, () => (before = residentBytes(pid)));
    const after = residentBytes(pid);
    return { memory: { requests: window.measured.requests, before, peak: Math.max(peak, after), after }, window };
  } finally {
    clearInterval(watch);
  }
}

/** The whole sitting; `describe` sees the scratch database once it is loaded and says what the machine is. */
export async function sit<M>(
  options: Options & { databaseUrl: string },
  budgetSeconds: number,
  describe: (db: data.PostgresDatabase) => M,
) {
  const started = performance.now();
  let phaseStart = started;
  const phase = (name: string): void => {
    progress(`${name} done in ${((performance.now() - phaseStart) / 1000).toFixed(1)} s`);
    phaseStart = performance.now();
  };
  const jwtSecret = randomBytes(32).toString('hex');
  // The PostgreSQL load, the PGlite one and the tokens side by side.
  const { large, small } = options.listSizes;
  const freshGuests = (engine: Engine) =>
    onEngine(engine).length * options.runs * freshPerWindow(engine, options.seconds);
  const pgSizes = { largeList: large, smallList: small, postGuests: freshGuests('postgres') + COUNTED_GUESTS };
  const pgliteGuests = options.runs * freshPerWindow('pglite', options.seconds); // each directory has its own
  const tenThousandSizes = {
    largeList: SMALL_LIST,
    smallList: 0,
    postGuests: options.runs * freshPerWindow('postgres', options.seconds),
  };
  const [postgres, tenThousand, pgliteDirs, sign] = await Promise.all([
    data.postgresDatabase(options.databaseUrl, pgSizes),
    data.postgresDatabase(options.databaseUrl, tenThousandSizes),
    data.pgliteDirectories(onEngine('pglite').length, { largeList: 0, smallList: 0, postGuests: pgliteGuests }),
    signer(jwtSecret, Math.max(pgSizes.postGuests, pgliteGuests)),
  ]);
  const machine = await describe(postgres);
  phase('data load');

  const env = (name: TargetName, url = postgres.url): Record<string, string> =>
    TARGETS[name].engine === 'pglite'
      ? { JWT_SECRET: jwtSecret, DATA_DIR: pgliteDirs[onEngine('pglite').indexOf(name)] ?? '' }
      : { JWT_SECRET: jwtSecret, DATABASE_URL: name === 'server-postgres-10k' ? tenThousand.url : url };
  const counting = async (name: 'server-postgres' | 'bare-postgres'): Promise<Counted> => {
    const url = new URL(postgres.url);
    const counter = await countStatements({ host: url.hostname, port: Number(url.port || 5432) });
    registerCleanup(() => counter.close());
    url.port = String(counter.port);
    return { target: await startTarget(name, () => env(name, url.toString())), counter };
  };
  const [server, bare, ...targets] = await Promise.all([
    counting('server-postgres'),
    counting('bare-postgres'),
    ...TARGET_NAMES.map((name) => startTarget(name, env)),
  ]);
  phase('targets');
  const postgresGuests = pool(pgSizes.postGuests);
  const guests = new Map(onEngine('postgres').map((name) => [name, postgresGuests]));
  for (const name of onEngine('pglite')) guests.set(name, pool(pgliteGuests));
  guests.set('server-postgres-10k', pool(tenThousandSizes.postGuests));
  const s: Sitting = { options, postgres, small: tenThousand, sign, guests };

  const statements = await countStatementsPerRequest(s, [server, bare]);
  await Promise.all([...server.target.processes, ...bare.target.processes].map(stop));
  phase('statement counting');

  // Each run measures every workload on every target, the order of the targets turning by one
  // each run, so a drift in the machine's speed hits all alike.
  const windows: Window[] = [];
  for (let run = 0; run < options.runs; run++) {
    for (const workload of WORKLOAD_NAMES) {
      const order = targets.filter((t) =>
        workload === 'patch'
          ? t.name === 'server-postgres' || t.name === 'server-postgres-10k'
          : (workload === 'constant') === (t.name === 'hono'),
      );
      const first = run % order.length;
      for (const target of [...order.slice(first), ...order.slice(0, first)]) {
        stopping.throwIfAborted();
        windows.push(await measure(s, target, workload, run, workloadJob(s, target, workload)));
      }
    }
  }
  phase('rounds');
  const serverPostgres = targets.find((t) => t.name === 'server-postgres');
  if (serverPostgres === undefined) throw new Error('no server-postgres target');
  windows.push(...(await measureLists(s, serverPostgres)));
  phase('list shapes');
  const left = budgetSeconds - (performance.now() - started) / 1000;
  const { memory, window } = await measureMemory(s, serverPostgres, Math.max(10, left));
  phase('memory');
  return {
    windows: [...windows, window],
    statements,
    memory,
    machine: await machine,
    loadSeconds: postgres.loadSeconds,
  };
}
