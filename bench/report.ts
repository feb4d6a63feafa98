// The results of a sitting: one markdown table, the targets as ratios, the raw windows as JSON.
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { PostgresDatabase } from './databases.js';
import type { StatementCount } from './counting.js';
import { listWorkload } from './lists.js';
import type { Options, Window } from './measure.js';
import type { Memory } from './memory.js';
import { REPO } from './processes.js';
import { LABELS, SERVER_SETTINGS, type TargetName } from './targets.js';
import { LIST_SHAPES, WORKLOAD_LABELS, WORKLOADS, type ListSize } from './workloads.js';

export interface Machine {
  date: string;
  commit: string;
  cpus: string;
  memory: string;
  node: string;
  postgres: string;
  /** At the start. */
  loadAverage: string;
  /** % of one core the machine was busy in the second before the start. */
  busyBefore: number;
}

/** `before`: the load average and the seconds the machine was busy in the second before the start. */
export async function describeMachine(
  database: PostgresDatabase,
  before: { loadAverage: number[]; busySeconds: number },
): Promise<Machine> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const version = await client.query<{ server_version: string }>('show server_version').finally(() => client.end());
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: REPO, encoding: 'utf8' }).trim();
  return {
    date: new Date().toISOString(),
    commit: `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain').length > 0 ? ' (with uncommitted changes)' : ''}`,
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    postgres: `PostgreSQL ${version.rows[0]?.server_version ?? 'unknown'}, same machine`,
    loadAverage: before.loadAverage.map((l) => l.toFixed(1)).join(' '),
    busyBefore: Math.round(before.busySeconds * 100),
  };
}

/** The middle value; the mean of the middle two for an even count; NaN for none. */
function median(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = sorted.length / 2;
  return Number.isInteger(middle)
    ? ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
    : (sorted[Math.floor(middle)] ?? Number.NaN);
}

const perRequestMicros = (cpuSeconds: number | undefined, requests: number): number =>
  cpuSeconds === undefined || requests === 0 ? Number.NaN : (cpuSeconds / requests) * 1e6;

const fixed = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : '—');
/** Slow list shapes answer a few requests a second or less: those keep a decimal. */
const perSecond = (value: number): string => fixed(value, value < 10 ? 1 : 0);
const ms = (value: number): string => fixed(value, value < 10 ? 2 : value < 100 ? 1 : 0);

interface Row {
  target: TargetName;
  workload: string;
  windows: Window[];
}

function rowsOf(windows: Window[]): Row[] {
  const rows = new Map<string, Row>();
  for (const window of windows) {
    const key = `${window.target}\u0000${window.workload}`;
    const row = rows.get(key) ?? { target: window.target, workload: window.workload, windows: [] };
    row.windows.push(window);
    rows.set(key, row);
  }
  return [...rows.values()];
}

/** The median over runs of this row's rate divided by another target's, run by run. */
function ratio(row: Row, windows: Window[], other: TargetName, otherWorkload = row.workload): number {
  return median(
    row.windows.map((w) => {
      const reference = windows.find((o) => o.target === other && o.workload === otherWorkload && o.run === w.run);
      return reference === undefined || reference === w
        ? Number.NaN
        : w.outcome.requestsPerSecond / reference.outcome.requestsPerSecond;
    }),
  );
}

const bareOf = (target: TargetName): TargetName | undefined =>
  target.endsWith('pglite')
    ? 'bare-pglite'
    : target.endsWith('postgres') || target.endsWith('x2')
      ? 'bare-postgres'
      : undefined;

/** The counting instance that ran a target's statements (PGlite has no wire to count on). */
function statementsOf(statements: StatementCount[], target: TargetName, workload: string): number {
  const counted = target === 'server-postgres-x2' ? 'server-postgres' : target;
  const name = workload.startsWith('guest list')
    ? `guest list: ${workload.slice(workload.indexOf(': ') + 2)}`
    : workload;
  return statements.find((s) => s.target === counted && s.workload === name)?.perRequest ?? Number.NaN;
}

interface Results {
  machine: Machine;
  options: Options;
  wallSeconds: number;
  windows: Window[];
  statements: StatementCount[];
  memory: Memory | undefined;
  totals: Record<ListSize, Map<string, number>>;
}

function table(results: Results): string {
  const { windows, statements, options } = results;
  const header = [
    'target',
    'workload',
    'req/s',
    'p50 ms',
    'p99 ms',
    'server CPU µs/req',
    'PostgreSQL CPU µs/req',
    'statements/req',
    '× Hono constant',
    '× bare SQL',
    '× Prism',
    'p50 ÷ p50 at 10,000',
    'total_items exact',
  ];
  const lines = [
    `| ${header.join(' | ')} |`,
    `| --- | --- | ${header
      .slice(2)
      .map(() => '---:')
      .join(' | ')} |`,
  ];
  const ordered = rowsOf(windows).filter((row) => !row.workload.startsWith('memory'));
  for (const row of ordered) {
    const of = (pick: (w: Window) => number): number => median(row.windows.map(pick));
    const isList = row.workload.startsWith('guest list');
    const isRound = (WORKLOADS as readonly string[]).includes(row.workload);
    const bare = bareOf(row.target);
    let vsSmall = '';
    if (isList && row.workload.startsWith(`guest list ${options.listSizes.large.toLocaleString('en-US')}:`)) {
      const shape = LIST_SHAPES.find((s) => row.workload.endsWith(`: ${s.name}`));
      const small = windows.find((w) => shape !== undefined && w.workload === listWorkload(options, 'small', shape));
      vsSmall = small === undefined ? '—' : fixed(of((w) => w.outcome.p50) / small.outcome.p50, 1);
    }
    lines.push(
      `| ${[
        LABELS[row.target],
        row.workload in WORKLOAD_LABELS ? WORKLOAD_LABELS[row.workload as keyof typeof WORKLOAD_LABELS] : row.workload,
        perSecond(of((w) => w.outcome.requestsPerSecond)),
        ms(of((w) => w.outcome.p50)),
        ms(of((w) => w.outcome.p99)),
        fixed(
          of((w) => perRequestMicros(w.outcome.serverCpuSeconds, w.outcome.requests)),
          0,
        ),
        fixed(
          of((w) => perRequestMicros(w.databaseCpuSeconds, w.outcome.requests)),
          0,
        ),
        fixed(statementsOf(statements, row.target, row.workload), 1),
        isRound ? fixed(ratio(row, windows, 'hono', 'constant'), 3) : '',
        isRound && bare !== undefined && bare !== row.target ? fixed(ratio(row, windows, bare), 2) : '',
        isRound && row.target !== 'prism' ? fixed(ratio(row, windows, 'prism'), 2) : '',
        vsSmall,
        isList
          ? row.windows.every((w) => w.outcome.errors === 0)
            ? 'yes'
            : `no: ${row.windows[0]?.outcome.firstError}`
          : '',
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

function targetChecks(results: Results): string[] {
  const { windows, options } = results;
  const rows = rowsOf(windows);
  const row = (target: TargetName, workload: string): Row | undefined =>
    rows.find((r) => r.target === target && r.workload === workload);
  const check = (label: string, value: number, goal: number, below = false): string => {
    const met = Number.isFinite(value) && (below ? value <= goal : value >= goal);
    return `- ${met ? '✅' : '❌'} ${label}: ${fixed(value, 2)} (target ${below ? '≤' : '≥'} ${goal})`;
  };
  const rate = (target: TargetName, workload: string, other: TargetName): number => {
    const r = row(target, workload);
    return r === undefined ? Number.NaN : ratio(r, windows, other);
  };
  const lines = [
    check('GET /host-connections/{id}, server on PostgreSQL ÷ Prism mock', rate('server-postgres', 'get', 'prism'), 3),
    check(
      'GET /host-connections/{id}, server on PostgreSQL ÷ bare SQL on PostgreSQL',
      rate('server-postgres', 'get', 'bare-postgres'),
      0.7,
    ),
    check('GET /host-connections/{id}, server on PGlite ÷ Prism mock', rate('server-pglite', 'get', 'prism'), 1),
    check('25-row list, server on PostgreSQL ÷ Prism mock', rate('server-postgres', 'list', 'prism'), 1),
    check(
      'POST /host-connections, server on PostgreSQL ÷ bare SQL transaction on PostgreSQL',
      rate('server-postgres', 'post', 'bare-postgres'),
      0.7,
    ),
  ];
  const p50 = (size: ListSize, name: string): number => {
    const shape = LIST_SHAPES.find((s) => s.name === name);
    return shape === undefined
      ? Number.NaN
      : median(row('server-postgres', listWorkload(options, size, shape))?.windows.map((w) => w.outcome.p50) ?? []);
  };
  const growth = LIST_SHAPES.map((shape) => ({
    shape: shape.name,
    value: p50('large', shape.name) / p50('small', shape.name),
  }));
  const worst = growth.reduce(
    (a, b) => (b.value > a.value || !Number.isFinite(b.value) ? b : a),
    growth[0] ?? { shape: '', value: Number.NaN },
  );
  const large = options.listSizes.large.toLocaleString('en-US');
  lines.push(
    check(
      `${large} connections: the worst list shape's p50 ÷ its p50 at 10,000 (${worst.shape}; ${growth.filter((g) => g.value > 2).length} of ${growth.length} shapes over 2)`,
      worst.value,
      2,
      true,
    ),
  );
  for (const shape of LIST_SHAPES.filter((s) => s.search !== undefined)) {
    lines.push(check(`${large} connections: p50 ms of ${shape.name}`, p50('large', shape.name), 50, true));
  }
  const lists = windows.filter((w) => w.workload.startsWith('guest list'));
  const wrong = lists.filter((w) => w.outcome.errors > 0);
  lines.push(
    `- ${wrong.length === 0 && lists.length > 0 ? '✅' : '❌'} total_items exact in every answer of ${lists.length} list windows (checked against a count(*) of our own)${wrong.length > 0 ? `: ${wrong.length} wrong` : ''}`,
  );
  const { memory } = results;
  if (memory !== undefined) {
    const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;
    const change = memory.after / memory.before - 1;
    const all = memory.requests >= options.memoryRequests;
    lines.push(
      `- ${change <= 0.1 && all ? '✅' : '❌'} memory flat${all ? '' : ` (only ${memory.requests.toLocaleString('en-US')} of ${options.memoryRequests.toLocaleString('en-US')} requests before the time ran out)`}: RSS of the server on PostgreSQL ${mb(memory.before)} before and ${mb(memory.after)} after ` +
        `${memory.requests.toLocaleString('en-US')} × ${WORKLOAD_LABELS.get} (peak ${mb(memory.peak)}; ${(change * 100).toFixed(1)}%; ours: flat means ≤ +10%)`,
    );
  }
  return lines;
}

function summary(results: Results): string {
  const { machine, options, windows } = results;
  const minutes = `${Math.floor(results.wallSeconds / 60)} min ${Math.round(results.wallSeconds % 60)} s`;
  const others = windows.map((w) => {
    const o = w.outcome;
    return (
      ((o.machineBusySeconds - o.serverCpuSeconds - o.generatorCpuSeconds - (w.databaseCpuSeconds ?? 0)) / o.seconds) *
      100
    );
  });
  const generator = windows.map((w) => ({
    workload: `${w.target} ${w.workload}`,
    share: (w.outcome.generatorCpuSeconds / w.outcome.seconds) * 100,
  }));
  const busiest = generator.reduce((a, b) => (b.share > a.share ? b : a), { workload: '', share: 0 });
  return [
    `Command: \`npm run bench\`. ${machine.date}, commit ${machine.commit}. Wall time: ${minutes}.`,
    `Machine: ${machine.cpus}, ${machine.memory}, Node ${machine.node}, ${machine.postgres}; load average ${machine.loadAverage} at the start, ` +
      `${machine.busyBefore}% of one core busy in the second before the start; during the measured windows everything else on the machine used ` +
      `${fixed(median(others), 0)}% of one core (median; at most ${fixed(Math.max(...others), 0)}%).`,
    `Each target its own process, the load generator (autocannon) a process apart, all on the same cores; the generator used at most ` +
      `${fixed(busiest.share, 0)}% of one core (${busiest.workload}). ${options.connections} connections ` +
      `(list shapes: 1); ${options.runs} runs of ${options.warmup} s warm-up + ${options.seconds} s measured per target and workload, medians; ` +
      `limits off (${Object.entries(SERVER_SETTINGS)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}). ` +
      `Guest lists: ${options.listSizes.small.toLocaleString('en-US')} and ${options.listSizes.large.toLocaleString('en-US')} connections, server on PostgreSQL only.`,
  ].join('\n');
}

/** Writes bench/results/<timestamp>.json, and for a whole sitting latest.json and latest.md; returns the markdown. */
export async function writeResults(results: Results, whole: boolean): Promise<string> {
  const markdown = [summary(results), '', table(results), '', '**Targets**', '', ...targetChecks(results), ''].join(
    '\n',
  );
  const directory = path.join(REPO, 'bench', 'results');
  await mkdir(directory, { recursive: true });
  const json = JSON.stringify(
    {
      ...results,
      totals: Object.fromEntries(Object.entries(results.totals).map(([size, map]) => [size, Object.fromEntries(map)])),
    },
    null,
    2,
  );
  await writeFile(path.join(directory, `${results.machine.date.replace(/[:.]/g, '-')}.json`), json);
  if (whole) {
    await writeFile(path.join(directory, 'latest.json'), json);
    await writeFile(path.join(directory, 'latest.md'), markdown);
  }
  return markdown;
}
