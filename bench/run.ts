// The load benchmark: real server processes on loopback, this process as the load generator.
// Usage and results: bench/README.md. Progress goes to stderr, the results table to stdout.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase } from '../server/store/database.js';
import { migrateToLatest } from '../server/store/migrate.js';
import { runLoad, type Completion, type RequestSpec } from './load.js';
import { seed, type PendingGuest, type Seed } from './seed.js';
import { machineBusySeconds, processCpuSeconds, startServer, stopServer, type ServerProcess } from './servers.js';
import { measure, median, type CpuShares, type Measurement } from './stats.js';

const ENGINES = {
  pglite: { database: 'pglite', processes: 1 },
  postgres: { database: 'postgres', processes: 1 },
  'postgres-x2': { database: 'postgres', processes: 2 },
} as const;
type EngineName = keyof typeof ENGINES;
const SCENARIOS = ['healthz', 'list', 'create', 'token'] as const;
type Scenario = (typeof SCENARIOS)[number];

// Everything is bounded: a stuck run is stopped (and cleaned up) after this long.
const WATCHDOG_MS = 12 * 60 * 1000;
const LIST_SIZE = 25;
const CREATE_WARMUP = 100;

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '32' },
    creations: { type: 'string', default: '800' },
    engines: { type: 'string', default: Object.keys(ENGINES).join(',') },
    'database-url': { type: 'string', default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});

function positive(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, not "${text}"`);
  return value;
}

const options = {
  runs: positive('runs', args.runs),
  seconds: positive('seconds', args.seconds),
  warmup: positive('warmup', args.warmup),
  concurrency: positive('concurrency', args.concurrency),
  creations: positive('creations', args.creations),
  databaseUrl: args['database-url'] ?? '',
  engines: (args.engines ?? '').split(',').map((name) => {
    if (!(name in ENGINES)) throw new Error(`unknown engine "${name}"; known: ${Object.keys(ENGINES).join(', ')}`);
    return name as EngineName;
  }),
};
if (options.creations <= options.concurrency) throw new Error('--creations must exceed --concurrency');

const progress = (line: string): void => void process.stderr.write(`${line}\n`);

// What must be undone however the benchmark ends: server processes, temp dirs, scratch databases.
const cleanups = new Set<() => Promise<void>>();
async function cleanUp(): Promise<void> {
  for (const cleanup of [...cleanups].reverse()) {
    cleanups.delete(cleanup);
    await cleanup().catch((error: unknown) => progress(`cleanup failed: ${String(error)}`));
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
}
setTimeout(() => {
  progress(`the benchmark ran over ${WATCHDOG_MS / 60000} minutes: stopping`);
  void cleanUp().finally(() => process.exit(1));
}, WATCHDOG_MS).unref();

/** A database of its own for one engine: a temp PGlite dir, or a scratch database on the PostgreSQL server. */
async function scratchDatabase(engine: EngineName): Promise<Record<string, string>> {
  if (ENGINES[engine].database === 'pglite') {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'connections-bench-'));
    cleanups.add(() => rm(dataDir, { recursive: true, force: true }));
    return { DATA_DIR: dataDir };
  }
  const name = `connections_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: options.databaseUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  cleanups.add(async () => {
    const dropper = new pg.Client({ connectionString: options.databaseUrl });
    await dropper.connect();
    try {
      await dropper.query(`drop database if exists ${name} with (force)`);
    } finally {
      await dropper.end();
    }
  });
  const url = new URL(options.databaseUrl);
  url.pathname = `/${name}`;
  return { DATABASE_URL: url.toString() };
}

function storeOptions(env: Record<string, string>) {
  return { databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR ?? '' };
}

async function tokenFor(port: number, credentials: Seed['lister']): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/v1/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_id: credentials.client_id, client_secret: credentials.client_secret }),
  });
  if (response.status !== 200) throw new Error(`createToken answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

function callerHeaders(organizationId: string, token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}`, 'Requester-Organization-ID': organizationId, 'Target-Organization-ID': organizationId };
}

function requestsOf(seeded: Seed, listerToken: string) {
  const list: RequestSpec = {
    method: 'GET',
    path: '/v1/host-connections?statuses=connected',
    headers: callerHeaders(seeded.lister.organization_id, listerToken),
    expect: 200,
  };
  const token: RequestSpec = {
    method: 'POST',
    path: '/v1/oauth2/token',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_id: seeded.lister.client_id, client_secret: seeded.lister.client_secret }),
    expect: 200,
  };
  const create = (guest: PendingGuest): RequestSpec => ({
    method: 'POST',
    path: '/v1/host-connections',
    headers: { ...callerHeaders(guest.organizationId, guest.token), 'Content-Type': 'application/json' },
    body: JSON.stringify({ host_organization_id: guest.hostOrganizationId, invitation_token: guest.invitationToken }),
    expect: 201,
  });
  return { healthz: { method: 'GET', path: '/healthz', headers: {}, expect: 200 } satisfies RequestSpec, list, token, create };
}

/** CPU used between start() and stop(), by the servers, by this process, and by everything else. */
function cpuProbe(servers: ServerProcess[]) {
  const sample = () => ({
    at: performance.now(),
    server: servers.reduce((sum, s) => sum + processCpuSeconds(s.pid), 0),
    generator: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    machine: machineBusySeconds(),
  });
  let first: ReturnType<typeof sample> | undefined;
  let shares: CpuShares | undefined;
  return {
    start: () => void (first = sample()),
    stop: () => {
      const last = sample();
      if (first === undefined) return;
      const seconds = (last.at - first.at) / 1000;
      const pct = (used: number) => Math.round((used / seconds) * 100);
      const server = last.server - first.server;
      const generator = last.generator - first.generator;
      shares = { server: pct(server), generator: pct(generator), rest: pct(last.machine - first.machine - server - generator) };
    },
    shares: (): CpuShares => shares ?? { server: Number.NaN, generator: Number.NaN, rest: Number.NaN },
  };
}

/** Requests for warm-up + duration; measured: those that end within the last `seconds`. */
async function forDuration(ports: number[], servers: ServerProcess[], spec: RequestSpec): Promise<{ result: Measurement; firstError?: string }> {
  const from = options.warmup * 1000;
  const to = from + options.seconds * 1000;
  const probe = cpuProbe(servers);
  const timers = [setTimeout(probe.start, from), setTimeout(probe.stop, to)];
  const load = await runLoad({ ports, concurrency: options.concurrency, next: () => spec, stop: (elapsed) => elapsed >= to });
  timers.forEach(clearTimeout);
  const window = load.completions.filter((c) => c.end >= from && c.end < to);
  return { result: measure(window, options.seconds, probe.shares()), firstError: load.firstError };
}

/**
 * A fixed count of requests, each sent once. Measured: from the end of the warm-up requests
 * until the last moment every worker was still busy (the final `concurrency` are the drain).
 */
async function forCount(ports: number[], servers: ServerProcess[], specs: RequestSpec[]): Promise<{ result: Measurement; firstError?: string }> {
  const first = CREATE_WARMUP;
  const last = specs.length - options.concurrency;
  const probe = cpuProbe(servers);
  let completed = 0;
  const load = await runLoad({
    ports,
    concurrency: options.concurrency,
    next: (index) => specs[index],
    stop: () => false,
    onComplete: () => {
      completed += 1;
      if (completed === first) probe.start();
      if (completed === last) probe.stop();
    },
  });
  const window: Completion[] = load.completions.slice(first, last);
  const seconds = ((load.completions[last - 1]?.end ?? 0) - (load.completions[first - 1]?.end ?? 0)) / 1000;
  return { result: measure(window, seconds, probe.shares()), firstError: load.firstError };
}

type RunResults = Record<Scenario, Measurement>;

async function benchEngine(engine: EngineName): Promise<{ runs: RunResults[]; connectionsCreated: number; expected: number }> {
  const jwtSecret = randomBytes(32).toString('hex');
  const env = { ...(await scratchDatabase(engine)), JWT_SECRET: jwtSecret };
  const perRun = CREATE_WARMUP + options.creations;

  let started = performance.now();
  const store = await openDatabase(storeOptions(env));
  let seeded: Seed;
  try {
    await migrateToLatest(store.db);
    seeded = await seed(store.db, { jwtSecret, listSize: LIST_SIZE, pendingGuests: perRun * options.runs });
  } finally {
    await store.close();
  }
  progress(`[${engine}] seeded ${seeded.pendingGuests.length} pending guests in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  started = performance.now();
  const servers: ServerProcess[] = [];
  const stopAll = async (): Promise<void> => void (await Promise.all(servers.map(stopServer)));
  cleanups.add(stopAll);
  const runs: RunResults[] = [];
  let created = 0;
  try {
    for (let i = 0; i < ENGINES[engine].processes; i++) servers.push(await startServer(env));
    progress(`[${engine}] ${servers.length} server(s) ready in ${((performance.now() - started) / 1000).toFixed(1)} s (pids ${servers.map((s) => s.pid).join(', ')})`);
    const ports = servers.map((s) => s.port);
    const requests = requestsOf(seeded, await tokenFor(ports[0] ?? 0, seeded.lister));

    for (let run = 0; run < options.runs; run++) {
      const guests = seeded.pendingGuests.slice(run * perRun, (run + 1) * perRun);
      const measured: Partial<RunResults> = {};
      for (const scenario of SCENARIOS) {
        const { result, firstError } =
          scenario === 'create'
            ? await forCount(ports, servers, guests.map(requests.create))
            : await forDuration(ports, servers, requests[scenario]);
        measured[scenario] = result;
        if (scenario === 'create') created += result.requests - result.errors;
        progress(
          `[${engine} run ${run + 1}] ${scenario.padEnd(7)} ${result.requestsPerSecond.toFixed(0).padStart(6)} req/s ` +
            `p50 ${result.p50.toFixed(1)} ms p99 ${result.p99.toFixed(1)} ms (${result.requests} requests, ${result.errors} errors; ` +
            `CPU % server ${result.cpu.server} generator ${result.cpu.generator} rest ${result.cpu.rest})` +
            (firstError === undefined ? '' : `\n  first error: ${firstError}`),
        );
      }
      runs.push(measured as RunResults);
    }
  } finally {
    await stopAll();
    cleanups.delete(stopAll);
  }

  // Every creation answered 201 must have made exactly one connection, and nothing else may have.
  const check = await openDatabase(storeOptions(env));
  try {
    const host = seeded.pendingGuests[0]?.hostOrganizationId ?? '';
    const row = await check.db
      .selectFrom('connections')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('host_organization_id', '=', host)
      .executeTakeFirstOrThrow();
    const connectionsCreated = Number(row.count);
    // Warm-up and drain creations are not in `created`, but they made connections too.
    const expected = options.runs * perRun;
    return { runs, connectionsCreated, expected: created === 0 ? 0 : expected };
  } finally {
    await check.close();
  }
}

function row(cells: (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

function table(results: Map<EngineName, RunResults[]>): string {
  const lines = [
    row(['engine', 'scenario', 'req/s (median)', 'req/s (min–max)', '× healthz', 'p50 ms', 'p99 ms', 'CPU % server / generator / rest']),
    row(['---', '---', '---:', '---:', '---:', '---:', '---:', '---']),
  ];
  for (const [engine, runs] of results) {
    for (const scenario of SCENARIOS) {
      const of = (pick: (m: Measurement, run: RunResults) => number) => median(runs.map((run) => pick(run[scenario], run)));
      const rps = runs.map((run) => run[scenario].requestsPerSecond);
      const cpu = (key: keyof CpuShares) => of((m) => m.cpu[key]).toFixed(0);
      lines.push(
        row([
          engine,
          scenario,
          of((m) => m.requestsPerSecond).toFixed(0),
          `${Math.min(...rps).toFixed(0)}–${Math.max(...rps).toFixed(0)}`,
          of((m, run) => m.requestsPerSecond / run.healthz.requestsPerSecond).toFixed(3),
          of((m) => m.p50).toFixed(1),
          of((m) => m.p99).toFixed(1),
          `${cpu('server')} / ${cpu('generator')} / ${cpu('rest')}`,
        ]),
      );
    }
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const started = performance.now();
  const loadBefore = os.loadavg()[0]?.toFixed(2);
  const results = new Map<EngineName, RunResults[]>();
  let failed = false;
  for (const engine of options.engines) {
    const { runs, connectionsCreated, expected } = await benchEngine(engine);
    results.set(engine, runs);
    const errors = runs.reduce((sum, run) => sum + SCENARIOS.reduce((s, sc) => s + run[sc].errors, 0), 0);
    if (errors > 0 || connectionsCreated !== expected) {
      failed = true;
      progress(`[${engine}] ${errors} errors; ${connectionsCreated} connections in the database, expected ${expected}`);
    }
  }
  await cleanUp();
  const minutes = ((performance.now() - started) / 60000).toFixed(1);
  console.log(
    [
      `${options.runs} runs per engine; ${options.concurrency} requests in flight; ${options.warmup} s warm-up + ${options.seconds} s ` +
        `measured (create: ${options.creations} creations after ${CREATE_WARMUP} warm-up); ${os.cpus().length} cores; node ${process.version}; ` +
        `load average before ${loadBefore}, after ${os.loadavg()[0]?.toFixed(2)}; ${minutes} min`,
      '',
      table(results),
    ].join('\n'),
  );
  if (failed) process.exitCode = 1;
}

main().catch(async (error: unknown) => {
  progress(error instanceof Error ? (error.stack ?? error.message) : String(error));
  await cleanUp();
  process.exit(1);
});
