// One sitting: the data and every target first, then the statement counting, the rounds of
// every workload on every target, the list shapes at both sizes, and the memory check.
import { randomBytes } from 'node:crypto';
import { countStatements } from '../test/support/statements.js';
import * as data from './data.js';
import { generate, type Job, type Measurement, type RequestSpec, type Span } from './loadgen.js';
import { cpuSeconds, progress, registerCleanup, residentBytes, stop, stopping } from './processes.js';
import { type Engine, startTarget, TARGET_NAMES, TARGETS, type Target, type TargetName } from './targets.js';
import { guestListRequest, LIST_SHAPES, type Sign, signer } from './workloads.js';
import { WORKLOAD_NAMES, WORKLOADS, type WorkloadName } from './workloads.js';

export const SMALL_LIST = 10_000;
export const WARMUP_SECONDS = 1;
export const CONNECTIONS = 16;
/** Measured seconds per list shape at 10,000 and at the large size. */
const LIST_SECONDS = { small: 1, large: 2 };
export type Options = { runs: number; seconds: number; memoryRequests: number; largeList: number };
/** `databaseCpuSeconds`: of the target's PostgreSQL backends over the measured span. */
export type Window = { target: TargetName; workload: string; run: number; measured: Measurement } & {
  databaseCpuSeconds?: number;
};
/** `sql`: the statements of one request, in the order sent. */
export type StatementCount = { target: TargetName; workload: string; perRequest: number; sql: string[] };

/** What a target runs on: its database (PostgreSQL's, to watch its backends), its fresh guests handed out in turn. */
type Db = { env: Record<string, string>; postgres?: data.PostgresDatabase; fresh(count: number): number[] };
type Sitting = { options: Options; sign: Sign; dbs: Map<TargetName, Db> };

// The most requests with fresh guests per second a window can take before it runs out of them
// (it then ends early, and says so): well above the fastest seen here.
const FRESH_RATE_CAP: Record<Engine, number> = { postgres: 2500, pglite: 1500 };
const COUNTED_GUESTS = 2 * (2 + 10); // the statement counting's: 2 warm-up and 10 counted, twice

function db(env: Record<string, string>, guests: number, postgres?: data.PostgresDatabase): Db {
  let next = 1;
  const fresh = (count: number) => {
    if (next + count - 1 > guests)
      throw new Error(`only ${guests} fresh guests were loaded; ${next - 1 + count} needed`);
    next += count;
    return Array.from({ length: count }, (_, i) => next - count + i);
  };
  return { env, postgres, fresh };
}

/** One window; the CPU of the target's PostgreSQL backends is sampled around its measured span. */
async function measure(s: Sitting, target: Target, workload: string, run: number, job: Omit<Job, 'processes'>) {
  const postgres = s.dbs.get(target.name)?.postgres;
  const backends = async () => new Map((await postgres?.backendPids())?.map((pid) => [pid, cpuSeconds(pid)]));
  let before: Promise<Map<number, number>> | undefined;
  const onWarm = () => {
    job.onWarm?.();
    before = backends();
  };
  const o = await generate({ ...job, processes: target.processes, onWarm });
  const [start, end] = [await before, await backends()];
  // A backend that appeared in between counts whole; one that vanished is lost.
  const cpu = [...end].reduce((sum, [pid, seconds]) => sum + seconds - (start?.get(pid) ?? 0), 0);
  const failed = `${o.errors > 0 ? `, ${o.errors} unexpected answers (first: ${o.firstError})` : ''}${o.exhausted ? ', ran out of fresh guests' : ''}`;
  progress(
    `[run ${run + 1}] ${target.name} ${workload}: ${o.requestsPerSecond.toFixed(0)} req/s, p50 ${o.p50.toFixed(2)} ms${failed}`,
  );
  return { target: target.name, workload, run, measured: o, databaseCpuSeconds: postgres && cpu } satisfies Window;
}

/**
 * A workload's job on a target: `count` requests, each with a fresh guest where it needs one (Prism
 * keeps nothing: one does), at 16 connections, its warm-up and --seconds (or `span`).
 */
function workloadJob(s: Sitting, target: Target, workload: WorkloadName, count?: number, span?: Span) {
  const { fresh, cycle = 1, expect, request } = WORKLOADS[workload];
  const db = fresh ? s.dbs.get(target.name) : undefined;
  const engine = TARGETS[target.name].engine ?? 'postgres';
  const perWindow = Math.ceil(FRESH_RATE_CAP[engine] * (WARMUP_SECONDS + s.options.seconds + 0.5));
  const guests = db?.fresh(count ?? perWindow) ?? Array.from({ length: count ?? cycle }, (_, i) => (i % cycle) + 1);
  const requests = guests.map((guest) => request(target.base, s.sign, guest));
  const measure = span ?? { seconds: s.options.seconds };
  return { connections: CONNECTIONS, requests, once: db !== undefined, expect, warmup: { seconds: 1 }, measure };
}

/**
 * Statements per request, one request at a time, on instances of their own behind the counting
 * proxy: each workload 10 times after 2 warm-up requests, each list shape once after one
 * (on the server only, at 10,000: at the large size the requests differ by the host only).
 */
async function countStatementsPerRequest(s: Sitting, counting: [Target, () => { count: number; sql: string[] }][]) {
  const counts: StatementCount[] = [];
  for (const [target, take] of counting) {
    const onServer = target.name === 'server-postgres';
    const jobs = WORKLOAD_NAMES.filter((w) => w !== 'constant' && (onServer || w !== 'patch')).map((name) => {
      const requests = (count: number) => workloadJob(s, target, name, count).requests;
      return { name: name as string, expect: WORKLOADS[name].expect, warm: requests(2), counted: requests(10) };
    });
    for (const shape of onServer ? LIST_SHAPES : []) {
      const requests = [guestListRequest('/v1', s.sign, data.fixtures.smallHost, shape)];
      jobs.push({ name: `guest list: ${shape.name}`, expect: 200, warm: requests, counted: requests });
    }
    for (const { name, expect, warm, counted } of jobs) {
      const job = { processes: target.processes, connections: 1, once: true, expect };
      const run = (requests: RequestSpec[]) =>
        generate({ ...job, requests, warmup: { seconds: 0 }, measure: { seconds: 120 } });
      const errors = (await run(warm)).errors;
      take();
      const measured = await run(counted);
      const { count, sql } = take();
      if (errors + measured.errors > 0) throw new Error(`counting ${name} on ${target.name}: ${measured.firstError}`);
      const perRequest = count / counted.length;
      counts.push({ target: target.name, workload: name, perRequest, sql: sql.slice(0, Math.round(perRequest)) });
      progress(`[statements] ${target.name} ${name}: ${perRequest} per request`);
    }
  }
  return counts;
}

export const listWorkload = (size: number, shape: { name: string }): string =>
  `guest list ${size.toLocaleString('en-US')}: ${shape.name}`;

/**
 * Every list shape at both sizes on the server on PostgreSQL, one request at a time (the targets
 * are latencies of one request; at 16 in flight the p50 would be mostly queueing), shape by
 * shape, small then large, so a drift of the machine hits both alike. At least 3 answers, unless
 * that takes over twice the seconds; every `total_items` checked against a count of our own.
 */
async function measureLists(s: Sitting, target: Target, postgres: data.PostgresDatabase): Promise<Window[]> {
  const windows: Window[] = [];
  for (const [index, shape] of LIST_SHAPES.entries()) {
    for (const size of ['small', 'large'] as const) {
      stopping.throwIfAborted();
      const host = size === 'large' ? data.fixtures.largeHost : data.fixtures.smallHost;
      const first = index === 0 ? 1 : 0; // the first shape warms the caches for all; each small one warms itself
      const job = {
        connections: 1,
        requests: [guestListRequest(target.base, s.sign, host, shape)],
        once: false,
        expect: 200,
        totalItems: await data.expectedTotal(postgres, host.organizationId, shape),
        warmup: size === 'small' ? { seconds: 0.2 } : { seconds: 0, minRequests: first, maxSeconds: first * 60 },
        measure: { seconds: LIST_SECONDS[size], minRequests: 3, maxSeconds: LIST_SECONDS[size] * 2 },
      };
      const workload = listWorkload(size === 'small' ? SMALL_LIST : s.options.largeList, shape);
      windows.push(await measure(s, target, workload, 0, job));
    }
  }
  return windows;
}

/** RSS of the server on PostgreSQL around --memory-requests × GET, or as many as `maxSeconds` allow. */
async function measureMemory(s: Sitting, target: Target, maxSeconds: number) {
  const pid = target.processes[0]?.pid ?? 0;
  let [before, peak] = [Number.NaN, 0];
  const watch = setInterval(() => (peak = Math.max(peak, residentBytes(pid) || 0)), 500);
  const span = { seconds: 0, minRequests: s.options.memoryRequests, maxSeconds };
  const job = { ...workloadJob(s, target, 'get', undefined, span), onWarm: () => (before = residentBytes(pid)) };
  try {
    const window = await measure(s, target, 'memory: get', 0, job);
    const after = residentBytes(pid);
    return { memory: { requests: window.measured.requests, before, peak: Math.max(peak, after), after }, window };
  } finally {
    clearInterval(watch);
  }
}

/** The whole sitting; past `budgetSeconds` the memory check stops short. */
export async function sit(options: Options & { databaseUrl: string }, budgetSeconds: number) {
  const started = performance.now();
  let phaseStart = started;
  const phase = (name: string): void => {
    progress(`${name} done in ${((performance.now() - phaseStart) / 1000).toFixed(1)} s`);
    phaseStart = performance.now();
  };
  const onEngine = (engine: Engine) => TARGET_NAMES.filter((name) => TARGETS[name].engine === engine);
  const fresh = (engine: Engine) =>
    options.runs * Math.ceil(FRESH_RATE_CAP[engine] * (WARMUP_SECONDS + options.seconds + 0.5));
  const jwtSecret = randomBytes(32).toString('hex');
  // The PostgreSQL loads, the PGlite one (each directory has its own guests) and the tokens side by
  // side. The small database holds the large list's host with its first 10,000 guests.
  const mainGuests = onEngine('postgres').length * fresh('postgres') + COUNTED_GUESTS;
  const [main, small, pgliteDirs, sign] = await Promise.all([
    data.postgresDatabase(options.databaseUrl, {
      largeList: options.largeList,
      smallList: SMALL_LIST,
      postGuests: mainGuests,
    }),
    data.postgresDatabase(options.databaseUrl, { largeList: SMALL_LIST, postGuests: fresh('postgres') }),
    data.pgliteDirectories(onEngine('pglite').length, { postGuests: fresh('pglite') }),
    signer(jwtSecret, Math.max(mainGuests, fresh('pglite'))),
  ]);
  const version = await main.client.query<{ server_version: string }>('show server_version');
  phase('data load');

  const mainDb = db({ DATABASE_URL: main.url }, mainGuests, main);
  const dbs = new Map(onEngine('postgres').map((name) => [name, mainDb]));
  dbs.set('server-postgres-10k', db({ DATABASE_URL: small.url }, fresh('postgres'), small));
  for (const [i, name] of onEngine('pglite').entries())
    dbs.set(name, db({ DATA_DIR: pgliteDirs[i] ?? '' }, fresh('pglite')));
  const counting = async (name: 'server-postgres' | 'bare-postgres') => {
    const url = new URL(main.url);
    const counter = await countStatements({ host: url.hostname, port: Number(url.port || 5432) });
    registerCleanup(() => counter.close());
    url.port = String(counter.port);
    const target = await startTarget(name, { JWT_SECRET: jwtSecret, DATABASE_URL: url.toString() });
    return [target, () => counter.take()] as [Target, () => { count: number; sql: string[] }];
  };
  const [server, bare, ...targets] = await Promise.all([
    counting('server-postgres'),
    counting('bare-postgres'),
    ...TARGET_NAMES.map((name) => startTarget(name, { JWT_SECRET: jwtSecret, ...dbs.get(name)?.env })),
  ]);
  phase('targets');
  const s: Sitting = { options, sign, dbs };
  const statements = await countStatementsPerRequest(s, [server, bare]);
  await Promise.all([...server[0].processes, ...bare[0].processes].map(stop));
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
  windows.push(...(await measureLists(s, serverPostgres, main)));
  phase('list shapes');
  const left = budgetSeconds - (performance.now() - started) / 1000;
  const { memory, window } = await measureMemory(s, serverPostgres, Math.max(10, left));
  phase('memory');
  const postgresVersion = version.rows[0]?.server_version ?? '?';
  return { windows: [...windows, window], statements, memory, postgresVersion, loadSeconds: main.loadSeconds };
}
