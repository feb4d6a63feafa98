// The results: a markdown table for every mode, and a sitting's summary, table and targets as ratios.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { REPO } from './processes.js';
import type { Options, sit, Window } from './sitting.js';
import { SERVER_SETTINGS, TARGETS, type TargetName } from './targets.js';
import { CONNECTIONS, LIST_SHAPES, type ListShape, listWorkload, SMALL_LIST, WARMUP_SECONDS } from './workloads.js';
import { WORKLOADS, type WorkloadName } from './workloads.js';

/** A markdown table; the columns from `rightFrom` on are right-aligned. */
export function table(columns: string[], rows: (string | number)[][], rightFrom = columns.length): string {
  const align = columns.map((_, i) => (i < rightFrom ? '---' : '---:'));
  return [columns, align, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** The middle value; the mean of the middle two for an even count; NaN for none. */
export function median(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return ((sorted[Math.ceil(middle) - 1] ?? Number.NaN) + (sorted[Math.floor(middle)] ?? Number.NaN)) / 2;
}
const fixed = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : '—');
/** Slow list shapes answer a few requests a second or less: those keep a decimal. */
const perSecond = (value: number): string => fixed(value, value < 10 ? 1 : 0);
const ms = (value: number): string => fixed(value, value < 10 ? 2 : value < 100 ? 1 : 0);
const micros = (seconds: number): string => fixed(seconds * 1e6, 0);
const thousands = (n: number): string => n.toLocaleString('en-US');

/** A sitting's results, and how it ran. */
type Report = Awaited<ReturnType<typeof sit>> & {
  options: Options;
  /** The load average and the share of one core busy in the second before the start. */
  before: { loadAverage: number[]; busySeconds: number };
  wallSeconds: number;
  command: string;
};

/** The windows of one target and workload, one per run. */
const rowOf = (windows: Window[], target: TargetName, workload: string) =>
  windows.filter((w) => w.target === target && w.workload === workload);
const medianOf = (windows: Window[], pick: (w: Window) => number): number => median(windows.map(pick));
const perRequest = (w: Window, seconds: number) => seconds / w.measured.requests;

/** The median over runs of a row's rate divided by another target's, run by run (NaN for itself). */
function ratio(row: Window[], windows: Window[], other: TargetName, otherWorkload = row[0]?.workload): number {
  const rate = (w?: Window) => w?.measured.requestsPerSecond ?? Number.NaN;
  const of = (w: Window) => windows.find((o) => o.target === other && o.workload === otherWorkload && o.run === w.run);
  return median(row.map((w) => (of(w) === w ? Number.NaN : rate(w) / rate(of(w)))));
}

const HEADER = `target | workload | req/s | p50 ms | p99 ms | server CPU µs/req | PostgreSQL CPU µs/req | statements/req
  | × Hono constant | × bare SQL | × Prism | p50 ÷ p50 at 10,000 | total_items exact`.split(/\s*\|\s*/);

function sittingTable({ windows, statements, options }: Report): string {
  const keys = new Set(
    windows.filter((w) => !w.workload.startsWith('memory')).map((w) => `${w.target}\t${w.workload}`),
  );
  const rows = [...keys].map((key) => {
    const [target, workload] = key.split('\t') as [TargetName, string];
    const row = rowOf(windows, target, workload);
    const isRound = workload in WORKLOADS && workload !== 'constant';
    const engine = TARGETS[target].engine;
    const bare: TargetName | undefined = engine && `bare-${engine}`;
    const shape = LIST_SHAPES.find((s) => workload === listWorkload(options.largeList, s));
    const small = shape && rowOf(windows, target, listWorkload(SMALL_LIST, shape));
    const p50 = medianOf(row, (w) => w.measured.p50);
    // The counting instance that ran a target's statements (PGlite has no wire to count on).
    const [counted, name] = [target.replace('-x2', ''), workload.replace(/^guest list [\d,]+:/, 'guest list:')];
    const statementCount = statements.find((s) => s.target === counted && s.workload === name)?.perRequest;
    const exact = row.every((w) => w.measured.errors === 0) ? 'yes' : `no: ${row[0]?.measured.firstError}`;
    return [
      TARGETS[target].label,
      WORKLOADS[workload as WorkloadName]?.label ?? workload,
      perSecond(medianOf(row, (w) => w.measured.requestsPerSecond)),
      ms(p50),
      ms(medianOf(row, (w) => w.measured.p99)),
      micros(medianOf(row, (w) => perRequest(w, w.measured.cpu.server))),
      micros(medianOf(row, (w) => perRequest(w, w.measured.cpu.database))),
      fixed(statementCount ?? Number.NaN, 1),
      isRound ? fixed(ratio(row, windows, 'hono', 'constant'), 3) : '',
      isRound && bare !== undefined && bare !== target ? fixed(ratio(row, windows, bare), 2) : '',
      isRound && target !== 'prism' ? fixed(ratio(row, windows, 'prism'), 2) : '',
      small === undefined ? '' : fixed(p50 / medianOf(small, (w) => w.measured.p50), 1),
      workload.startsWith('guest list') ? exact : '',
    ];
  });
  return table(HEADER, rows, 2);
}

/** A target met or missed: its label, the value, and the goal the value must be at least (≥) or at most (≤). */
type Check = [label: string, value: number, bound: '≥' | '≤', goal: number];
const check = ([label, value, bound, goal]: Check): string => {
  const met = Number.isFinite(value) && (bound === '≤' ? value <= goal : value >= goal);
  return `- ${met ? '✅' : '❌'} ${label}: ${fixed(value, 2)} (target ${bound} ${goal})`;
};

const [get, post] = ['GET /host-connections/{id}, server on', 'POST /host-connections, server on PostgreSQL'];
const patch = 'PATCH /guest-connections/{id}, server on PostgreSQL';
/** The targets of the rounds: a target's rate ÷ another's on one workload, at least `goal`. */
const RATE_TARGETS: [label: string, target: TargetName, workload: WorkloadName, other: TargetName, goal: number][] = [
  [`${get} PostgreSQL ÷ Prism mock`, 'server-postgres', 'get', 'prism', 3],
  [`${get} PostgreSQL ÷ bare SQL on PostgreSQL`, 'server-postgres', 'get', 'bare-postgres', 0.6],
  [`${get} PGlite ÷ Prism mock`, 'server-pglite', 'get', 'prism', 2],
  ['25-row list, server on PostgreSQL ÷ Prism mock', 'server-postgres', 'list', 'prism', 1],
  [`${post} ÷ bare SQL transaction on PostgreSQL`, 'server-postgres', 'post', 'bare-postgres', 0.7],
  [`${post}: with the large list in the table ÷ with 10,000`, 'server-postgres', 'post', 'server-postgres-10k', 0.7],
  [`${patch}: with the large list in the table ÷ with 10,000`, 'server-postgres', 'patch', 'server-postgres-10k', 0.7],
];

function targetChecks({ windows, options, memory, loadSeconds }: Report): string[] {
  const p50 = (size: number, shape: ListShape): number =>
    medianOf(rowOf(windows, 'server-postgres', listWorkload(size, shape)), (w) => w.measured.p50);
  const growth = LIST_SHAPES.map((shape) => ({ shape, value: p50(options.largeList, shape) / p50(SMALL_LIST, shape) }));
  const worst = growth.reduce((a, b) => (b.value > a.value || !Number.isFinite(b.value) ? b : a));
  const over = `${worst.shape.name}; ${growth.filter((g) => g.value > 2).length} of ${growth.length} shapes over 2`;
  const large = thousands(options.largeList);
  const list = medianOf(rowOf(windows, 'server-postgres', 'list'), (w) => perRequest(w, w.measured.cpu.database));
  const lists = windows.filter((w) => w.workload.startsWith('guest list'));
  const wrong = lists.filter((w) => w.measured.errors > 0).length;
  const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;
  const change = memory.after / memory.before - 1;
  const all = memory.requests >= options.memoryRequests;
  const short = ` (only ${thousands(memory.requests)} of ${thousands(options.memoryRequests)} requests before the time ran out)`;
  const checks: Check[] = [
    ...RATE_TARGETS.map(([label, target, workload, other, goal]): Check => {
      return [label, ratio(rowOf(windows, target, workload), windows, other), '≥', goal];
    }),
    ['25-row list, server on PostgreSQL: PostgreSQL CPU ms per list', list * 1e3, '≤', 0.4],
    [`bulk load of the main database (${large} + 10,000 connections, fresh guests), seconds`, loadSeconds, '≤', 300],
    [`${large} connections: the worst list shape's p50 ÷ its p50 at 10,000 (${over})`, worst.value, '≤', 2],
    ...LIST_SHAPES.filter((s) => s.query.search_text !== undefined).map((shape): Check => {
      return [`${large} connections: p50 ms of ${shape.name}`, p50(options.largeList, shape), '≤', 50];
    }),
  ];
  return [
    ...checks.map(check),
    `- ${wrong === 0 && lists.length > 0 ? '✅' : '❌'} total_items exact in every answer of ${lists.length} list windows ` +
      `(checked against a count(*) of our own)${wrong > 0 ? `: ${wrong} wrong` : ''}`,
    `- ${change <= 0.1 && all ? '✅' : '❌'} memory flat${all ? '' : short}: RSS of the server on PostgreSQL ${mb(memory.before)} before and ` +
      `${mb(memory.after)} after ${thousands(memory.requests)} × ${WORKLOADS.get.label} (peak ${mb(memory.peak)}; ` +
      `${(change * 100).toFixed(1)}%; ours: flat means ≤ +10%)`,
  ];
}

/** The command, the commit, the machine and how busy it was, and how the windows ran. */
function summary({ options, windows, wallSeconds, command, postgresVersion, before }: Report): string {
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: REPO, encoding: 'utf8' }).trim();
  const dirty = git('status', '--porcelain').length > 0 ? ' (with uncommitted changes)' : '';
  const share = (w: Window, seconds: number) => (seconds / w.measured.seconds) * 100;
  const others = windows.map((w) => {
    const { machine, server, generator, database } = w.measured.cpu;
    return share(w, machine - server - generator - (database || 0)); // PGlite's rows have no database
  });
  const generator = Math.max(...windows.map((w) => share(w, w.measured.cpu.generator)));
  const settings = Object.entries(SERVER_SETTINGS).map(([k, v]) => `${k}=${v}`);
  return [
    `\`${command}\`: ${Math.floor(wallSeconds / 60)} min ${Math.round(wallSeconds % 60)} s.`,
    `${new Date().toISOString()}, commit ${git('rev-parse', '--short', 'HEAD')}${dirty}.`,
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version},`,
    `PostgreSQL ${postgresVersion} on the same machine; load average ${before.loadAverage.map((l) => l.toFixed(1)).join(' ')}`,
    `and ${Math.round(before.busySeconds * 100)}% of one core busy in the second before the start;`,
    `during the measured windows everything else used ${fixed(median(others), 0)}% of one core (median; at most ${fixed(Math.max(...others), 0)}%),`,
    `the load generator (autocannon, in the bench's process) at most ${fixed(generator, 0)}%. ${CONNECTIONS} connections (list shapes: 1);`,
    `${options.runs} runs of ${WARMUP_SECONDS} s warm-up + ${options.seconds} s measured per target and workload, medians;`,
    `limits off (${settings.join(', ')}). Guest lists: ${thousands(SMALL_LIST)} and ${thousands(options.largeList)} connections, server on PostgreSQL only.`,
  ].join('\n');
}

/** The markdown printed at the end of a sitting: the summary, the table, the targets. */
export function markdown(report: Report): string {
  return [summary(report), '', sittingTable(report), '', '**Targets**', '', ...targetChecks(report), ''].join('\n');
}
