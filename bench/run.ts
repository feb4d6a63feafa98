// `npm run bench [-- --mode sitting|profile|startup|store-lists|list-costs|webhooks] [options]`: the
// one entry point; every option and what each mode measures: docs/benchmarks.md. Progress goes to
// stderr, the results to stdout, a sitting's raw windows (and the SQL of every counted statement) to --out.
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runMain } from './processes.js';
import { profile } from './profile.js';
import { sitting } from './sitting.js';
import { startupTimes } from './startup.js';
import { storeLists } from './store-lists.js';
import { webhookRates } from './webhooks.js';
import { SMALL_LIST } from './workloads.js';

const { values: args } = parseArgs({
  options: {
    mode: { type: 'string', default: 'sitting' },
    runs: { type: 'string' },
    seconds: { type: 'string' },
    'large-list': { type: 'string', default: '1000000' },
    'memory-requests': { type: 'string', default: '100000' },
    'database-url': {
      type: 'string',
      default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
    out: { type: 'string', default: path.join(os.tmpdir(), `connections-bench-${Date.now()}.json`) },
    engine: { type: 'string', default: 'postgres' }, // profile, webhooks
    workload: { type: 'string', default: 'get' }, // profile
    cases: { type: 'string', default: 'first,restart,sandbox,mock' }, // startup
    guests: { type: 'string', default: '20000' }, // list-costs
  },
});

/** A whole number of at least 1 (`--seconds` may be a fraction); `fallback`: the mode's default. */
function positive(name: 'runs' | 'seconds' | 'large-list' | 'memory-requests' | 'guests', fallback?: string): number {
  const value = Number(args[name] ?? fallback);
  if (!(value > 0)) throw new Error(`--${name} must be a positive number, not "${args[name]}"`);
  return name === 'seconds' ? value : Math.round(value);
}
const [databaseUrl, out] = [args['database-url'] ?? '', args.out ?? ''];
const largeList = positive('large-list');
if (largeList <= SMALL_LIST) throw new Error(`--large-list must be over ${SMALL_LIST}`);

const engine = args.engine === 'pglite' ? 'pglite' : 'postgres';
const workload = (['post', 'list'] as const).find((w) => w === args.workload) ?? 'get';
const [runs, seconds] = [(fallback: string) => positive('runs', fallback), (s: string) => positive('seconds', s)];
const memoryRequests = positive('memory-requests');
// Each mode and the time after which it is stopped as stuck (and cleaned up).
const modes: Record<string, [() => Promise<void>, number]> = {
  sitting: [
    () => sitting({ runs: runs('2'), seconds: seconds('3'), largeList, memoryRequests, databaseUrl, out }),
    20 * 60_000,
  ],
  profile: [() => profile({ engine, workload, seconds: seconds('10'), databaseUrl }), 10 * 60_000],
  startup: [() => startupTimes(runs('5'), (args.cases ?? '').split(',')), 30 * 60_000],
  'store-lists': [() => storeLists({ sizes: [SMALL_LIST, largeList], runs: runs('20'), databaseUrl }), 60 * 60_000],
  'list-costs': [() => storeLists({ sizes: [positive('guests')], runs: runs('30'), databaseUrl }), 30 * 60_000],
  webhooks: [() => webhookRates({ engine, seconds: seconds('10'), databaseUrl }), 5 * 60_000],
};
const mode = modes[args.mode ?? ''];
if (mode === undefined) throw new Error(`--mode must be one of ${Object.keys(modes).join(', ')}, not "${args.mode}"`);
runMain(...mode);
