// The results: a markdown table for every mode, and a sitting's machine, table and targets as ratios.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { PostgresDatabase } from './data.js';
import { REPO } from './processes.js';
import type { Memory, Options, StatementCount, Window } from './sitting.js';
import { CONNECTIONS, listWorkload, WARMUP_SECONDS } from './sitting.js';
import { SERVER_SETTINGS, TARGETS, type TargetName } from './targets.js';
import { LIST_SHAPES, type ListShape, WORKLOADS, type WorkloadName } from './workloads.js';

/** The machine and the commit; `before`: the load average and the share of one core busy in the second before the start. */
export async function describeMachine(
  database: PostgresDatabase,
  before: { loadAverage: number[]; busySeconds: number },
) {
  const [version] = await database.query<{ server_version: string }>('show server_version');
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: REPO, encoding: 'utf8' }).trim();
  const dirty = git('status', '--porcelain').length > 0 ? ' (with uncommitted changes)' : '';
  return [
    `${new Date().toISOString()}, commit ${git('rev-parse', '--short', 'HEAD')}${dirty}.`,
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version},`,
    `PostgreSQL ${version?.server_version} on the same machine; load average ${before.loadAverage.map((l) => l.toFixed(1)).join(' ')}`,
    `and ${Math.round(before.busySeconds * 100)}% of one core busy in the second before the start;`,
  ].join(' ');
}

type Report = {
  windows: Window[];
  statements: StatementCount[];
  memory: Memory;
  machine: string;
  /** Seconds of the main PostgreSQL database's bulk load (plain SQL, indexes built after the rows). */
  loadSeconds: number;
  options: Options;
  wallSeconds: number;
  command: string;
};
type Row = { target: TargetName; workload: string; windows: Window[] };

/** A markdown table's header; the columns from `rightFrom` on are right-aligned. */
export const tableHead = (columns: string[], rightFrom = columns.length): string =>
  `${tableRow(columns)}\n|${columns.map((_, i) => (i < rightFrom ? ' --- |' : ' ---: |')).join('')}`;
export const tableRow = (cells: (string | number)[]): string => `| ${cells.join(' | ')} |`;

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

function rowsOf(windows: Window[]): Row[] {
  const rows = new Map<string, Row>();
  for (const { target, workload } of windows) {
    const mine = windows.filter((w) => w.target === target && w.workload === workload);
    rows.set(`${target} ${workload}`, { target, workload, windows: mine });
  }
  return [...rows.values()];
}

/** The median over runs of this row's rate divided by another target's, run by run. */
function ratio(row: Row | undefined, windows: Window[], other: TargetName, otherWorkload = row?.workload): number {
  const ratios = row?.windows.map((w) => {
    const reference = windows.find((o) => o.target === other && o.workload === otherWorkload && o.run === w.run);
    return reference === undefined || reference === w
      ? Number.NaN
      : w.measured.requestsPerSecond / reference.measured.requestsPerSecond;
  });
  return median(ratios ?? []);
}

/** The counting instance that ran a target's statements (PGlite has no wire to count on). */
function statementsOf(statements: StatementCount[], target: TargetName, workload: string): number {
  const counted = target === 'server-postgres-x2' ? 'server-postgres' : target;
  const name = workload.replace(/^guest list [\d,]+:/, 'guest list:');
  return statements.find((s) => s.target === counted && s.workload === name)?.perRequest ?? Number.NaN;
}

const HEADER = ['target', 'workload', 'req/s', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'PostgreSQL CPU µs/req'];
HEADER.push('statements/req', '× Hono constant', '× bare SQL', '× Prism', 'p50 ÷ p50 at 10,000', 'total_items exact');

function table({ windows, statements, options }: Report): string {
  const lines = [tableHead(HEADER, 2)];
  for (const row of rowsOf(windows).filter((r) => !r.workload.startsWith('memory'))) {
    const of = (pick: (w: Window) => number): number => median(row.windows.map(pick));
    const isRound = row.workload in WORKLOADS && row.workload !== 'constant';
    const engine = TARGETS[row.target].engine;
    const bare: TargetName | undefined = engine && `bare-${engine}`;
    const shape = LIST_SHAPES.find((s) => row.workload === listWorkload(options, 'large', s));
    const small = windows.find((w) => shape !== undefined && w.workload === listWorkload(options, 'small', shape));
    const cells = [
      TARGETS[row.target].label,
      WORKLOADS[row.workload as WorkloadName]?.label ?? row.workload,
      perSecond(of((w) => w.measured.requestsPerSecond)),
      ms(of((w) => w.measured.p50)),
      ms(of((w) => w.measured.p99)),
      micros(of((w) => w.measured.serverCpuSeconds / w.measured.requests)),
      micros(of((w) => (w.databaseCpuSeconds ?? Number.NaN) / w.measured.requests)),
      fixed(statementsOf(statements, row.target, row.workload), 1),
      isRound ? fixed(ratio(row, windows, 'hono', 'constant'), 3) : '',
      isRound && bare !== undefined && bare !== row.target ? fixed(ratio(row, windows, bare), 2) : '',
      isRound && row.target !== 'prism' ? fixed(ratio(row, windows, 'prism'), 2) : '',
      shape === undefined ? '' : small === undefined ? '—' : fixed(of((w) => w.measured.p50) / small.measured.p50, 1),
      !row.workload.startsWith('guest list')
        ? ''
        : row.windows.every((w) => w.measured.errors === 0)
          ? 'yes'
          : `no: ${row.windows[0]?.measured.firstError}`,
    ];
    lines.push(tableRow(cells));
  }
  return lines.join('\n');
}

const check = (label: string, value: number, goal: number, below = false): string => {
  const met = Number.isFinite(value) && (below ? value <= goal : value >= goal);
  return `- ${met ? '✅' : '❌'} ${label}: ${fixed(value, 2)} (target ${below ? '≤' : '≥'} ${goal})`;
};

const [get, post] = ['GET /host-connections/{id}, server on', 'POST /host-connections, server on PostgreSQL'];
/** The targets of the rounds: a target's rate ÷ another's on one workload, at least `goal`. */
const RATE_TARGETS: [label: string, target: TargetName, workload: WorkloadName, other: TargetName, goal: number][] = [
  [`${get} PostgreSQL ÷ Prism mock`, 'server-postgres', 'get', 'prism', 3],
  [`${get} PostgreSQL ÷ bare SQL on PostgreSQL`, 'server-postgres', 'get', 'bare-postgres', 0.6],
  [`${get} PGlite ÷ Prism mock`, 'server-pglite', 'get', 'prism', 2],
  ['25-row list, server on PostgreSQL ÷ Prism mock', 'server-postgres', 'list', 'prism', 1],
  [`${post} ÷ bare SQL transaction on PostgreSQL`, 'server-postgres', 'post', 'bare-postgres', 0.7],
  [`${post}: with the large list in the table ÷ with 10,000`, 'server-postgres', 'post', 'server-postgres-10k', 0.7],
  [
    'PATCH /guest-connections/{id}, server on PostgreSQL: with the large list in the table ÷ with 10,000',
    ...['server-postgres', 'patch', 'server-postgres-10k', 0.7],
  ] as [string, TargetName, WorkloadName, TargetName, number],
];

function targetChecks({ windows, options, memory, loadSeconds }: Report): string[] {
  const rows = rowsOf(windows);
  const rate = (target: TargetName, workload: string, other: TargetName): number => {
    const row = rows.find((r) => r.target === target && r.workload === workload);
    return ratio(row, windows, other);
  };
  const p50 = (size: 'small' | 'large', shape: ListShape): number => {
    const row = rows.find((r) => r.target === 'server-postgres' && r.workload === listWorkload(options, size, shape));
    return median(row?.windows.map((w) => w.measured.p50) ?? []);
  };
  const growth = LIST_SHAPES.map((shape) => ({ shape: shape.name, value: p50('large', shape) / p50('small', shape) }));
  const worst = growth.reduce((a, b) => (b.value > a.value || !Number.isFinite(b.value) ? b : a));
  const large = thousands(options.listSizes.large);
  const listRow = rows.find((r) => r.target === 'server-postgres' && r.workload === 'list');
  const perList = listRow?.windows.map((w) => (w.databaseCpuSeconds ?? Number.NaN) / w.measured.requests);
  const listDatabaseMs = median(perList ?? []) * 1e3;
  const over = `${growth.filter((g) => g.value > 2).length} of ${growth.length} shapes over 2`;
  const lists = windows.filter((w) => w.workload.startsWith('guest list'));
  const wrong = lists.filter((w) => w.measured.errors > 0).length;
  const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;
  const change = memory.after / memory.before - 1;
  const all = memory.requests >= options.memoryRequests;
  const short = all
    ? ''
    : ` (only ${thousands(memory.requests)} of ${thousands(options.memoryRequests)} requests before the time ran out)`;
  return [
    ...RATE_TARGETS.map(([label, target, workload, other, goal]) => check(label, rate(target, workload, other), goal)),
    check('25-row list, server on PostgreSQL: PostgreSQL CPU ms per list', listDatabaseMs, 0.4, true),
    check(
      `bulk load of the main database (${large} + 10,000 connections, fresh guests), seconds`,
      loadSeconds,
      300,
      true,
    ),
    check(
      `${large} connections: the worst list shape's p50 ÷ its p50 at 10,000 (${worst.shape}; ${over})`,
      worst.value,
      2,
      true,
    ),
    ...LIST_SHAPES.filter((s) => s.query.search_text !== undefined).map((shape) =>
      check(`${large} connections: p50 ms of ${shape.name}`, p50('large', shape), 50, true),
    ),
    `- ${wrong === 0 && lists.length > 0 ? '✅' : '❌'} total_items exact in every answer of ${lists.length} list windows ` +
      `(checked against a count(*) of our own)${wrong > 0 ? `: ${wrong} wrong` : ''}`,
    `- ${change <= 0.1 && all ? '✅' : '❌'} memory flat${short}: RSS of the server on PostgreSQL ${mb(memory.before)} before and ` +
      `${mb(memory.after)} after ${thousands(memory.requests)} × ${WORKLOADS.get.label} (peak ${mb(memory.peak)}; ` +
      `${(change * 100).toFixed(1)}%; ours: flat means ≤ +10%)`,
  ];
}

function summary({ machine, options, windows, wallSeconds, command }: Report): string {
  const share = (seconds: number, w: Window) => (seconds / w.measured.seconds) * 100;
  const others = windows.map((w) => {
    const o = w.measured;
    return share(o.machineBusySeconds - o.serverCpuSeconds - o.generatorCpuSeconds - (w.databaseCpuSeconds ?? 0), w);
  });
  const generator = Math.max(...windows.map((w) => share(w.measured.generatorCpuSeconds, w)));
  const settings = Object.entries(SERVER_SETTINGS).map(([k, v]) => `${k}=${v}`);
  return [
    `\`${command}\`: ${Math.floor(wallSeconds / 60)} min ${Math.round(wallSeconds % 60)} s. ${machine}`,
    `during the measured windows everything else used ${fixed(median(others), 0)}% of one core (median; at most ${fixed(Math.max(...others), 0)}%),`,
    `the load generator (autocannon, in the bench's process) at most ${fixed(generator, 0)}%. ${CONNECTIONS} connections (list shapes: 1);`,
    `${options.runs} runs of ${WARMUP_SECONDS} s warm-up + ${options.seconds} s measured per target and workload, medians;`,
    `limits off (${settings.join(', ')}). Guest lists: ${Object.values(options.listSizes).map(thousands).join(' and ')} connections, server on PostgreSQL only.`,
  ].join('\n');
}

/** The markdown printed at the end: the command, the machine, the table, the targets. */
export function markdown(report: Report): string {
  return [summary(report), '', table(report), '', '**Targets**', '', ...targetChecks(report), ''].join('\n');
}
