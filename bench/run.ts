// The load benchmark: real server processes on loopback, this process as the load generator.
// Usage and results: bench/README.md. Progress goes to stderr, the results table to stdout.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { migrateToLatest } from '../server/store/migrate.js';
import { cleanUp, guard, registerCleanup, runMain, stopping } from './cleanup.js';
import { cpuProbe, machineBusySeconds, type CpuShares } from './cpu.js';
import { pgliteDatabase, postgresDatabase, type ScratchDatabase } from './databases.js';
import { runLoad, type Completion, type RequestSpec } from './load.js';
import { createRequest, healthz, listRequest, tokenFor, tokenRequest } from './requests.js';
import { seed, type Seed } from './seed.js';
import { startServer, stopServer, type ServerProcess } from './servers.js';
import { measure, median, type Measurement } from './stats.js';

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
    creations: { type: 'string', default: '600' },
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

guard(WATCHDOG_MS);

const portsOf = (deployment: Deployment): number[] => deployment.servers.map((s) => s.port);
const probeOf = (deployment: Deployment) =>
  cpuProbe(
    deployment.servers.map((s) => s.pid),
    () => deployment.database.backendPids(),
  );

/** A scenario's measured window, and its whole load's correctness (warm-up and drain included). */
interface Outcome {
  result: Measurement;
  answered: number;
  errors: number;
  firstError: string | undefined;
}

/** Requests for warm-up + duration; measured: those that end within the last `seconds`. */
async function forDuration(deployment: Deployment, spec: RequestSpec): Promise<Outcome> {
  const from = options.warmup * 1000;
  const to = from + options.seconds * 1000;
  const probe = probeOf(deployment);
  const stop = (elapsed: number): boolean => {
    if (elapsed >= from) probe.start();
    if (elapsed < to) return false;
    probe.stop();
    return true;
  };
  const load = await runLoad({ ports: portsOf(deployment), concurrency: options.concurrency, next: () => spec, stop, signal: stopping });
  const window = load.completions.filter((c) => c.end >= from && c.end < to);
  return { result: measure(window, options.seconds, await probe.shares()), answered: load.completions.length - load.errors, errors: load.errors, firstError: load.firstError };
}

/**
 * A fixed count of requests, each sent once. Measured: from the end of the warm-up requests
 * until the last moment every worker was still busy (the final `concurrency` are the drain).
 */
async function forCount(deployment: Deployment, specs: RequestSpec[]): Promise<Outcome> {
  const first = CREATE_WARMUP;
  const last = specs.length - options.concurrency;
  const probe = probeOf(deployment);
  let completed = 0;
  const load = await runLoad({
    ports: portsOf(deployment),
    concurrency: options.concurrency,
    next: (index) => specs[index],
    stop: () => false,
    signal: stopping,
    onComplete: () => {
      completed += 1;
      if (completed === first) probe.start();
      if (completed === last) probe.stop();
    },
  });
  const window: Completion[] = load.completions.slice(first, last);
  const seconds = ((load.completions[last - 1]?.end ?? 0) - (load.completions[first - 1]?.end ?? 0)) / 1000;
  return { result: measure(window, seconds, await probe.shares()), answered: load.completions.length - load.errors, errors: load.errors, firstError: load.firstError };
}

type RunResults = Record<Scenario, Measurement>;

/** One engine under test: its database with the seeded data, its servers, what was measured. */
interface Deployment {
  engine: EngineName;
  database: ScratchDatabase;
  seeded: Seed;
  servers: ServerProcess[];
  /** The token of the list scenario, from the real token endpoint. */
  listerToken: string;
  runs: RunResults[];
  /** Unexpected answers in any scenario, warm-up included. */
  errors: number;
  /** 201s of the create scenario. */
  created: number;
}

const CREATIONS_PER_RUN = CREATE_WARMUP + options.creations;

async function deploy(engine: EngineName): Promise<Deployment> {
  stopping.throwIfAborted();
  const jwtSecret = randomBytes(32).toString('hex');
  const database = ENGINES[engine].database === 'pglite' ? await pgliteDatabase() : await postgresDatabase(options.databaseUrl);
  registerCleanup(() => database.remove());
  const env = { ...database.env, JWT_SECRET: jwtSecret };

  let started = performance.now();
  const store = await database.open();
  let seeded: Seed;
  try {
    await migrateToLatest(store.db);
    seeded = await seed(store.db, { jwtSecret, listSize: LIST_SIZE, pendingGuests: CREATIONS_PER_RUN * options.runs });
  } finally {
    await store.close();
  }
  progress(`[${engine}] seeded ${seeded.pendingGuests.length} pending guests in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  started = performance.now();
  const servers: ServerProcess[] = [];
  registerCleanup(() => stopAll(servers));
  for (let i = 0; i < ENGINES[engine].processes; i++) await startServer(env, (server) => servers.push(server));
  progress(`[${engine}] ${servers.length} server(s) ready in ${((performance.now() - started) / 1000).toFixed(1)} s (pids ${servers.map((s) => s.pid).join(', ')})`);
  const listerToken = await tokenFor(servers[0]?.port ?? 0, seeded.lister);
  return { engine, database, seeded, servers, listerToken, runs: [], errors: 0, created: 0 };
}

async function stopAll(servers: ServerProcess[]): Promise<void> {
  await Promise.all(servers.map(stopServer));
}

async function measureRun(deployment: Deployment, run: number): Promise<void> {
  const { engine, seeded } = deployment;
  const guests = seeded.pendingGuests.slice(run * CREATIONS_PER_RUN, (run + 1) * CREATIONS_PER_RUN);
  const measured: Partial<RunResults> = {};
  const timed = { healthz, list: listRequest(seeded, deployment.listerToken), token: tokenRequest(seeded) };
  for (const scenario of SCENARIOS) {
    stopping.throwIfAborted();
    const { result, answered, errors, firstError } =
      scenario === 'create' ? await forCount(deployment, guests.map(createRequest)) : await forDuration(deployment, timed[scenario]);
    measured[scenario] = result;
    deployment.errors += errors;
    if (scenario === 'create') deployment.created += answered;
    progress(
      `[${engine} run ${run + 1}] ${scenario.padEnd(7)} ${result.requestsPerSecond.toFixed(0).padStart(6)} req/s ` +
        `p50 ${result.p50.toFixed(1)} ms p99 ${result.p99.toFixed(1)} ms (${result.requests} measured, ${errors} errors; ` +
        `CPU % server ${result.cpu.server} generator ${result.cpu.generator} database ${result.cpu.database} other ${result.cpu.other})` +
        (firstError === undefined ? '' : `\n  first error: ${firstError}`),
    );
  }
  deployment.runs.push(measured as RunResults);
}

/** With the servers stopped (PGlite admits one process): the connections of the create scenario's host. */
async function countConnections(deployment: Deployment): Promise<number> {
  const store = await deployment.database.open();
  try {
    const { count } = await store.db
      .selectFrom('connections')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('host_organization_id', '=', deployment.seeded.pendingGuests[0]?.hostOrganizationId ?? '')
      .executeTakeFirstOrThrow();
    return Number(count);
  } finally {
    await store.close();
  }
}

/** % of one core the machine was busy over a second, before anything of ours runs. */
async function backgroundLoad(): Promise<number> {
  const before = machineBusySeconds();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return Math.round((machineBusySeconds() - before) * 100);
}

function row(cells: (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

function table(results: Map<EngineName, RunResults[]>): string {
  const lines = [
    row(['engine', 'scenario', 'req/s (median)', 'req/s (min–max)', '× healthz', 'p50 ms', 'p99 ms', 'CPU % server / generator / database / other']),
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
          `${cpu('server')} / ${cpu('generator')} / ${cpu('database')} / ${cpu('other')}`,
        ]),
      );
    }
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const started = performance.now();
  const background = await backgroundLoad();
  // Every engine's servers run side by side and the engines take turns, each run starting with
  // the next one, so a drift in the machine's speed (it is a VM, and it varies) hits every engine
  // alike instead of one engine's whole series, or always the last engine of a run.
  const deployments: Deployment[] = [];
  for (const engine of options.engines) deployments.push(await deploy(engine));
  for (let run = 0; run < options.runs; run++) {
    const first = run % deployments.length;
    for (const deployment of [...deployments.slice(first), ...deployments.slice(0, first)]) await measureRun(deployment, run);
  }

  let failed = false;
  for (const deployment of deployments) {
    await stopAll(deployment.servers);
    const connections = await countConnections(deployment);
    const expected = options.runs * CREATIONS_PER_RUN;
    progress(
      `[${deployment.engine}] ${deployment.errors} unexpected answers; ${deployment.created} of ${expected} creations answered 201; ` +
        `${connections} connections in the database`,
    );
    // Every 201 must have made exactly one connection, and nothing else may have.
    if (deployment.errors > 0 || deployment.created !== expected || connections !== deployment.created) failed = true;
  }
  await cleanUp();

  const minutes = ((performance.now() - started) / 60000).toFixed(1);
  console.log(
    [
      `${options.runs} runs per engine; ${options.concurrency} requests in flight; ${options.warmup} s warm-up + ${options.seconds} s ` +
        `measured (create: ${options.creations} creations after ${CREATE_WARMUP} warm-up); ${os.cpus().length} cores; node ${process.version}; ` +
        `machine busy ${background}% of one core before the start; ${minutes} min`,
      '',
      table(new Map(deployments.map((d) => [d.engine, d.runs]))),
    ].join('\n'),
  );
  if (failed) process.exitCode = 1;
}

runMain(main);
