// `npm run bench`: every target side by side in one sitting, each its own process, the load
// generator a process apart. How it measures and the latest results: bench/README.md.
// Progress goes to stderr; the results table to stdout and to bench/results/.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { cleanUp, guard, runMain, stopping } from './cleanup.js';
import { measureStatements } from './counting.js';
import { listTotals, measureLists } from './lists.js';
import { measureWorkload, type Options, type Window } from './measure.js';
import { measureMemory } from './memory.js';
import { machineBusySeconds } from './proc.js';
import { stop } from './processes.js';
import { describeMachine, writeResults } from './report.js';
import { prepare } from './sitting.js';
import { TARGETS, type TargetName } from './targets.js';
import { WORKLOADS } from './workloads.js';

// A whole sitting takes under 10 minutes on a quiet machine. On a busy one the memory check
// gets what is left of BUDGET_MS; a stuck sitting is stopped (and cleaned up) at WATCHDOG_MS.
const BUDGET_MS = 14 * 60 * 1000;
const WATCHDOG_MS = 20 * 60 * 1000;
const SMALL_LIST = 10_000;

const DEFAULTS = {
  runs: '2',
  warmup: '1',
  seconds: '3',
  connections: '16',
  'large-list': '1000000',
  'small-list-seconds': '1',
  'large-list-seconds': '2',
  'memory-requests': '100000',
  targets: TARGETS.join(','),
  workloads: WORKLOADS.join(','),
};
const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: DEFAULTS.runs },
    warmup: { type: 'string', default: DEFAULTS.warmup },
    seconds: { type: 'string', default: DEFAULTS.seconds },
    connections: { type: 'string', default: DEFAULTS.connections },
    'large-list': { type: 'string', default: DEFAULTS['large-list'] },
    'small-list-seconds': { type: 'string', default: DEFAULTS['small-list-seconds'] },
    'large-list-seconds': { type: 'string', default: DEFAULTS['large-list-seconds'] },
    'memory-requests': { type: 'string', default: DEFAULTS['memory-requests'] },
    targets: { type: 'string', default: DEFAULTS.targets },
    workloads: { type: 'string', default: DEFAULTS.workloads },
    'database-url': {
      type: 'string',
      default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
  },
});
/** Only a whole sitting replaces bench/results/latest.*; a trial run writes its timestamped file only. */
const whole = (Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]).every((name) => args[name] === DEFAULTS[name]);

function positive(name: keyof typeof DEFAULTS): number {
  const value = Number(args[name]);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`--${name} must be a positive number, not "${args[name]}"`);
  return value;
}

const options: Options = {
  runs: Math.round(positive('runs')),
  warmup: positive('warmup'),
  seconds: positive('seconds'),
  connections: Math.round(positive('connections')),
  listSizes: { small: SMALL_LIST, large: Math.round(positive('large-list')) },
  listSeconds: { small: positive('small-list-seconds'), large: positive('large-list-seconds') },
  memoryRequests: Math.round(positive('memory-requests')),
};
if (options.listSizes.large <= SMALL_LIST)
  throw new Error(`--large-list must be over ${SMALL_LIST}, the small list's size`);
const selected = (args.targets ?? '').split(',').map((name) => {
  if (!(TARGETS as readonly string[]).includes(name))
    throw new Error(`unknown target "${name}"; known: ${TARGETS.join(', ')}`);
  return name as TargetName;
});

// A subset of the workloads (a trial of one hot path); the list shapes run only with `list`.
const workloads = (args.workloads ?? '').split(',').map((name) => {
  if (!(WORKLOADS as readonly string[]).includes(name))
    throw new Error(`unknown workload "${name}"; known: ${WORKLOADS.join(', ')}`);
  return name as (typeof WORKLOADS)[number];
});

const progress = (line: string): void => void process.stderr.write(`${line}\n`);

async function timed<T>(name: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  progress(`${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

async function main(): Promise<void> {
  const started = performance.now();
  const loadAverage = os.loadavg();
  const busy = machineBusySeconds();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const before = { loadAverage, busySeconds: machineBusySeconds() - busy };

  const { sitting, database, processes, counted } = await prepare(
    options,
    selected,
    args['database-url'] ?? '',
    progress,
  );
  const machine = await describeMachine(database, before);
  const statements = await timed('statement counting', () => measureStatements(sitting, counted));
  await Promise.all([...counted.server.target.processes, ...counted.bare.target.processes].map(stop));
  await Promise.all([counted.server.counter.close(), counted.bare.counter.close()]);

  // Each run measures every workload on every target, the order of the targets turning by one
  // each run, so a drift in the machine's speed hits all alike.
  const windows: Window[] = await timed('rounds', async () => {
    const measured: Window[] = [];
    for (let run = 0; run < options.runs; run++) {
      for (const workload of ['constant', ...workloads] as const) {
        const order = [...sitting.targets.values()].filter((t) => (workload === 'constant') === (t.name === 'hono'));
        const first = run % Math.max(1, order.length);
        for (const target of [...order.slice(first), ...order.slice(0, first)]) {
          stopping.throwIfAborted();
          measured.push(await measureWorkload(sitting, target, workload, run));
        }
      }
    }
    return measured;
  });
  const totals = await listTotals(database);
  if (workloads.includes('list')) windows.push(...(await timed('list shapes', () => measureLists(sitting, totals))));
  const memoryMaxSeconds = Math.max(10, (started + BUDGET_MS - performance.now()) / 1000);
  const memory = await timed('memory', () => measureMemory(sitting, memoryMaxSeconds));
  if (memory) windows.push(memory.window);

  await Promise.all(processes.map(stop));
  await cleanUp();
  const wallSeconds = (performance.now() - started) / 1000;
  console.log(
    await writeResults({ machine, options, wallSeconds, windows, statements, memory: memory?.memory, totals }, whole),
  );
  if (windows.some((w) => w.outcome.errors > 0)) process.exitCode = 1;
}

guard(WATCHDOG_MS);
runMain(main);
