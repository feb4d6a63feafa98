// One sitting: the data and every target first, then the statement counting, the rounds of
// every workload on every target, the list shapes at both sizes, and the memory check; then the
// report to stdout and the raw results (every window, the SQL of every counted statement) to --out.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { countStatements, type StatementCounter } from '../test/support/statements.js';
import * as data from './data.js';
import { generate, type Job, type Measurement, type RequestSpec, type Span, summaryOf } from './loadgen.js';
import * as processes from './processes.js';
import { markdown } from './report.js';
import { type Engine, startTarget, TARGET_NAMES, TARGETS, type Target, type TargetName } from './targets.js';
import { CONNECTIONS, guestListRequest, LIST_SHAPES, listWorkload, runsOn, type Sign, signer } from './workloads.js';
import { SMALL_LIST, WARMUP_SECONDS, WORKLOAD_NAMES, WORKLOADS, type WorkloadName } from './workloads.js';

const { progress, registerCleanup, residentBytes, stopping } = processes;

export type Options = { runs: number; seconds: number; memoryRequests: number; largeList: number };
export type Window = { target: TargetName; workload: string; run: number; measured: Measurement };
/** `sql`: the statements of one request, in the order sent. */
export type StatementCount = { target: TargetName; workload: string; perRequest: number; sql: string[] };

/** What a target runs on: its database, its PostgreSQL backends (to watch), its fresh guests handed out in turn. */
type Db = { env: Record<string, string>; backends?: () => Promise<number[]>; fresh(count: number): number[] };
type Sitting = { options: Options; sign: Sign; dbs: Map<TargetName, Db> };

// The most requests with fresh guests per second a window can take before it runs out of them
// (it then ends early, and says so): well above the fastest seen here.
const FRESH_RATE_CAP: Record<Engine, number> = { postgres: 2500, pglite: 1500 };
const perWindow = (engine: Engine, seconds: number) =>
  Math.ceil(FRESH_RATE_CAP[engine] * (WARMUP_SECONDS + seconds + 0.5));
const COUNTED_GUESTS = 2 * (2 + 10); // the statement counting's: 2 warm-up and 10 counted, twice

function db(env: Record<string, string>, guests: number, postgres?: data.PostgresDatabase): Db {
  let next = 1;
  const fresh = (count: number) => {
    next += count;
    if (next > guests + 1) throw new Error(`only ${guests} fresh guests were loaded; ${next - 1} needed`);
    return Array.from({ length: count }, (_, i) => next - count + i);
  };
  return { env, backends: postgres?.backendPids, fresh };
}

/** One window of a job on a target (its PostgreSQL backends watched too). */
async function measure(s: Sitting, target: Target, workload: string, run: number, job: Omit<Job, 'processes'>) {
  const backends = s.dbs.get(target.name)?.backends;
  const measured = await generate({ ...job, processes: target.processes, backends });
  progress(`[run ${run + 1}] ${target.name} ${workload}: ${summaryOf(measured)}`);
  return { target: target.name, workload, run, measured } satisfies Window;
}

/** `count` requests of a workload, each with a fresh guest where it needs one (Prism keeps nothing: one does). */
function requestsOf(s: Sitting, target: Target, workload: WorkloadName, count?: number): RequestSpec[] {
  const { fresh, cycle = 1, request } = WORKLOADS[workload];
  const db = fresh ? s.dbs.get(target.name) : undefined;
  const guests =
    db?.fresh(count ?? perWindow(TARGETS[target.name].engine ?? 'postgres', s.options.seconds)) ??
    Array.from({ length: count ?? cycle }, (_, i) => (i % cycle) + 1);
  return guests.map((guest) => request(target.base, s.sign, guest));
}

/** A workload's job on a target at 16 connections: its warm-up and --seconds (or `measure`). */
function workloadJob(s: Sitting, target: Target, name: WorkloadName, measure: Span = { seconds: s.options.seconds }) {
  const [requests, { fresh, expect }] = [requestsOf(s, target, name), WORKLOADS[name]];
  const [once, warmup] = [fresh === true && s.dbs.has(target.name), { seconds: WARMUP_SECONDS }];
  return { connections: CONNECTIONS, requests, once, expect, warmup, measure };
}

/**
 * Statements per request, one request at a time, on instances of their own behind the counting
 * proxy: each workload 10 times after 2 warm-up requests, each list shape once after one
 * (on the server only, at 10,000: at the large size the requests differ by the host only).
 */
async function countStatementsPerRequest(s: Sitting, counting: [Target, StatementCounter][]) {
  const counts: StatementCount[] = [];
  for (const [target, counter] of counting) {
    const onServer = target.name === 'server-postgres';
    const send = async (name: string, expect: number, requests: RequestSpec[]) => {
      for (const { path, ...request } of requests) {
        const response = await fetch(`http://127.0.0.1:${target.processes[0]?.port}${path}`, request);
        const body = await response.text();
        if (response.status !== expect)
          throw new Error(`counting ${name} on ${target.name}: ${response.status} ${body}`);
      }
      return counter.take();
    };
    const jobs = WORKLOAD_NAMES.filter((w) => runsOn(w, target.name)).map((name) => {
      const requests = (count: number) => requestsOf(s, target, name, count);
      return { name: name as string, expect: WORKLOADS[name].expect, warm: requests(2), counted: requests(10) };
    });
    for (const shape of onServer ? LIST_SHAPES : []) {
      const requests = [guestListRequest('/v1', s.sign, data.fixtures.smallHost, shape)];
      jobs.push({ name: `guest list: ${shape.name}`, expect: 200, warm: requests, counted: requests });
    }
    for (const { name, expect, warm, counted } of jobs) {
      await send(name, expect, warm);
      const { count, sql } = await send(name, expect, counted);
      const perRequest = count / counted.length;
      counts.push({ target: target.name, workload: name, perRequest, sql: sql.slice(0, Math.round(perRequest)) });
      progress(`[statements] ${target.name} ${name}: ${perRequest} per request`);
    }
  }
  return counts;
}

/**
 * Every list shape at both sizes on the server on PostgreSQL, one request at a time (the targets
 * are latencies of one request; at 16 in flight the p50 would be mostly queueing), shape by
 * shape, small then large, so a drift of the machine hits both alike: 1 s at 10,000, 2 s at the
 * large size, at least 3 answers unless that takes over twice as long; every `total_items`
 * checked against a count of our own.
 */
async function measureLists(s: Sitting, target: Target, postgres: data.PostgresDatabase): Promise<Window[]> {
  const windows: Window[] = [];
  for (const [index, shape] of LIST_SHAPES.entries()) {
    for (const size of [SMALL_LIST, s.options.largeList]) {
      stopping.throwIfAborted();
      const [host, seconds] = size === SMALL_LIST ? [data.fixtures.smallHost, 1] : [data.fixtures.largeHost, 2];
      const first = index === 0 ? 1 : 0; // the first shape warms the caches for all; each small one warms itself
      const job = {
        connections: 1,
        requests: [guestListRequest(target.base, s.sign, host, shape)],
        once: false,
        expect: 200,
        totalItems: await data.expectedTotal(postgres, host.organizationId, shape),
        warmup: size === SMALL_LIST ? { seconds: 0.2 } : { seconds: 0, minRequests: first, maxSeconds: first * 60 },
        measure: { seconds, minRequests: 3, maxSeconds: seconds * 2 },
      };
      windows.push(await measure(s, target, listWorkload(size, shape), 0, job));
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
  const job = { ...workloadJob(s, target, 'get', span), onWarm: () => (before = residentBytes(pid)) };
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
  const fresh = (engine: Engine) => options.runs * perWindow(engine, options.seconds);
  const jwtSecret = randomBytes(32).toString('hex');
  // The PostgreSQL loads, the PGlite one (each directory has its own guests) and the tokens side by
  // side. The small database holds the large list's host with its first 10,000 guests.
  const mainGuests = onEngine('postgres').length * fresh('postgres') + COUNTED_GUESTS;
  const mainSizes = { largeList: options.largeList, smallList: SMALL_LIST, postGuests: mainGuests };
  const [main, small, pgliteDirs, sign] = await Promise.all([
    data.postgresDatabase(options.databaseUrl, mainSizes),
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
  const counting = async (name: 'server-postgres' | 'bare-postgres'): Promise<[Target, StatementCounter]> => {
    const url = new URL(main.url);
    const counter = await countStatements({ host: url.hostname, port: Number(url.port || 5432) });
    registerCleanup(() => counter.close());
    url.port = String(counter.port);
    return [await startTarget(name, { JWT_SECRET: jwtSecret, DATABASE_URL: url.toString() }), counter];
  };
  const [server, bare, ...targets] = await Promise.all([
    counting('server-postgres'),
    counting('bare-postgres'),
    ...TARGET_NAMES.map((name) => startTarget(name, { JWT_SECRET: jwtSecret, ...dbs.get(name)?.env })),
  ]);
  phase('targets');
  const s: Sitting = { options, sign, dbs };
  const statements = await countStatementsPerRequest(s, [server, bare]);
  await Promise.all([...server[0].processes, ...bare[0].processes].map(processes.stop));
  phase('statement counting');

  // Each run measures every workload on every target, the order of the targets turning by one
  // each run, so a drift in the machine's speed hits all alike.
  const windows: Window[] = [];
  for (let run = 0; run < options.runs; run++) {
    for (const workload of WORKLOAD_NAMES) {
      const order = targets.filter((t) => runsOn(workload, t.name));
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

/** `npm run bench`: a sitting (under 10 minutes on a quiet machine; on a busy one the memory check gets what is left of 14). */
export async function sitting(options: Options & { databaseUrl: string; out: string }): Promise<void> {
  const started = performance.now();
  const [loadAverage, busy] = [os.loadavg(), processes.machineBusySeconds()];
  await processes.sleep(1000);
  const before = { loadAverage, busySeconds: processes.machineBusySeconds() - busy };
  const results = await sit(options, 14 * 60);
  await processes.cleanUp();
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const { databaseUrl: _, out, ...shown } = options;
  const report = { ...results, options: shown, before, command, wallSeconds: (performance.now() - started) / 1000 };
  await writeFile(out, JSON.stringify(report, null, 2));
  console.log(`${markdown(report)}\nRaw results: ${out}`);
  if (results.windows.some((w) => w.measured.errors > 0)) process.exitCode = 1;
}
