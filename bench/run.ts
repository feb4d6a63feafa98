// `npm run bench [-- --mode sitting|profile|startup|store-lists] [options]`: the one entry point.
// How it measures, every option and the latest results: docs/benchmarks.md. Progress goes to
// stderr, the results to stdout, the raw windows (and the SQL of every counted statement) to
// --out, outside the repository.
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cleanUp, machineBusySeconds, runMain, sleep } from './processes.js';
import { profile } from './profile.js';
import { describeMachine, type Machine, markdown } from './report.js';
import { type Options, sit } from './sitting.js';
import { startupTimes } from './startup.js';
import { storeLists } from './store-lists.js';
import { TARGETS, type TargetName } from './targets.js';
import { WORKLOADS } from './workloads.js';

const { values: args } = parseArgs({
  options: {
    mode: { type: 'string', default: 'sitting' },
    runs: { type: 'string' },
    warmup: { type: 'string', default: '1' },
    seconds: { type: 'string' },
    connections: { type: 'string', default: '16' },
    'large-list': { type: 'string', default: '1000000' },
    'small-list-seconds': { type: 'string', default: '1' },
    'large-list-seconds': { type: 'string', default: '2' },
    'memory-requests': { type: 'string', default: '100000' },
    targets: { type: 'string', default: TARGETS.join(',') },
    workloads: { type: 'string', default: WORKLOADS.join(',') },
    'database-url': {
      type: 'string',
      default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
    out: { type: 'string', default: path.join(os.tmpdir(), `connections-bench-${Date.now()}.json`) },
    // profile: one server, one workload; startup: the cases and the command that starts the server.
    engine: { type: 'string', default: 'postgres' },
    workload: { type: 'string', default: 'get' },
    top: { type: 'string', default: '40' },
    'log-errors': { type: 'boolean', default: false },
    cases: { type: 'string', default: 'first,restart,sandbox,mock' },
    command: { type: 'string', default: 'npm' },
  },
});

function positive(name: keyof typeof args, fallback?: string): number {
  const value = Number(args[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`--${name} must be a positive number, not "${args[name]}"`);
  return value;
}
/** A comma-separated subset of `known`. */
function subset<T extends string>(name: 'targets' | 'workloads', known: readonly T[]): T[] {
  return (args[name] ?? '').split(',').map((item) => {
    if (!(known as readonly string[]).includes(item)) throw new Error(`unknown --${name} "${item}"; known: ${known}`);
    return item as T;
  });
}
const progress = (line: string): void => void process.stderr.write(`${line}\n`);
const SMALL_LIST = 10_000;
const databaseUrl = args['database-url'] ?? '';
const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;

// A whole sitting takes under 10 minutes on a quiet machine; on a busy one the memory check gets
// what is left of 14 minutes, and a stuck sitting is stopped (and cleaned up) at 20.
async function sitting(): Promise<void> {
  const options: Options = {
    runs: Math.round(positive('runs', '2')),
    warmup: positive('warmup'),
    seconds: positive('seconds', '3'),
    connections: Math.round(positive('connections')),
    listSizes: { small: SMALL_LIST, large: Math.round(positive('large-list')) },
    listSeconds: { small: positive('small-list-seconds'), large: positive('large-list-seconds') },
    memoryRequests: Math.round(positive('memory-requests')),
    targets: subset<TargetName>('targets', TARGETS),
    workloads: subset('workloads', WORKLOADS),
    databaseUrl,
  };
  if (options.listSizes.large <= SMALL_LIST) throw new Error(`--large-list must be over ${SMALL_LIST}`);
  const started = performance.now();
  const loadAverage = os.loadavg();
  const busy = machineBusySeconds();
  await sleep(1000);
  const before = { loadAverage, busySeconds: machineBusySeconds() - busy };
  let machine: Machine | undefined;
  const results = await sit(options, 14 * 60, progress, async (database) => {
    machine = await describeMachine(database, before);
  });
  await cleanUp();
  if (machine === undefined) throw new Error('the sitting described no machine');
  const report = { ...results, machine, options, command, wallSeconds: (performance.now() - started) / 1000 };
  await writeFile(args.out ?? '', JSON.stringify(report, null, 2));
  console.log(`${markdown(report)}\nRaw results: ${args.out}`);
  if (results.windows.some((w) => w.outcome.errors > 0)) process.exitCode = 1;
}

const modes: Record<string, [() => Promise<void>, number]> = {
  sitting: [sitting, 20 * 60_000],
  profile: [
    () =>
      profile({
        engine: args.engine === 'pglite' ? 'pglite' : 'postgres',
        workload: args.workload === 'post' ? 'post' : 'get',
        seconds: positive('seconds', '10'),
        connections: Math.round(positive('connections')),
        top: Math.round(positive('top')),
        logErrors: args['log-errors'] ?? false,
        databaseUrl,
      }),
    10 * 60_000,
  ],
  startup: [
    () => startupTimes(Math.round(positive('runs', '5')), (args.cases ?? '').split(','), args.command ?? ''),
    30 * 60_000,
  ],
  'store-lists': [
    () =>
      storeLists({
        large: Math.round(positive('large-list')),
        small: SMALL_LIST,
        runs: Math.round(positive('runs', '20')),
        databaseUrl,
      }),
    60 * 60_000,
  ],
};
const mode = modes[args.mode ?? ''];
if (mode === undefined) throw new Error(`--mode must be one of ${Object.keys(modes).join(', ')}, not "${args.mode}"`);
runMain(...mode);
