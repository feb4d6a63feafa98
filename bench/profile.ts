// `npm run bench:profile -- --engine pglite --workload get`: one server under one workload with
// `node --cpu-prof`, then the functions that took the most of its CPU (self time), grouped by
// where they live. Not part of the sitting: it is for finding the hot spots, its rates are not
// comparable (profiling slows the server down). The profile itself stays in $TMPDIR.
import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cleanUp, registerCleanup, runMain } from './cleanup.js';
import { loadPostgres, pgliteDirectories, postgresDatabase } from './databases.js';
import { startGenerator, type Job } from './generator.js';
import { span } from './measure.js';
import { launch, stop } from './processes.js';
import { SERVER_SETTINGS } from './targets.js';
import { getRequest, postRequest } from './workloads.js';
import { randomBytes } from 'node:crypto';
import { createTokenIssuer } from '../server/domain/tokens.js';
import type { Caller } from './data.js';

const { values: args } = parseArgs({
  options: {
    engine: { type: 'string', default: 'postgres' },
    workload: { type: 'string', default: 'get' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '16' },
    top: { type: 'string', default: '40' },
    // The server's request log goes to /dev/null, as in the sitting; with this, through a pipe, to show its first errors.
    'log-errors': { type: 'boolean', default: false },
    'database-url': {
      type: 'string',
      default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
  },
});
const engine = args.engine === 'pglite' ? 'pglite' : 'postgres';
const workload = args.workload === 'post' ? 'post' : 'get';
const seconds = Number(args.seconds);
const POST_GUESTS = workload === 'post' ? Math.ceil((seconds + 2) * 1500) : 0;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function and per file (package, or our own source path), in % of the samples. */
function summarize(profile: Profile, top: number): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  for (const [i, id] of profile.samples.entries()) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const functions = new Map<string, number>();
  const files = new Map<string, number>();
  const place = (url: string): string => {
    const modules = url.lastIndexOf('node_modules/');
    if (modules >= 0) {
      const rest = url.slice(modules + 'node_modules/'.length).split('/');
      return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
    }
    return url.replace(/^file:\/\/.*?\/(server|bench)\//, '$1/') || '(native)';
  };
  for (const [id, time] of self) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) continue;
    const where = place(frame.url);
    const name = `${frame.functionName || '(anonymous)'}  ${where}:${frame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + time);
    files.set(where, (files.get(where) ?? 0) + time);
  }
  const lines = (map: Map<string, number>, count: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, time]) => `${((time / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
  return [
    `self time by file (${(total / 1e6).toFixed(1)} s sampled):`,
    ...lines(files, 20),
    '',
    'self time by function:',
    ...lines(functions, top),
  ].join('\n');
}

async function main(): Promise<void> {
  const jwtSecret = randomBytes(32).toString('hex');
  const sizes = { largeList: 0, smallList: 0, postGuests: POST_GUESTS };
  let database: Record<string, string>;
  if (engine === 'postgres') {
    const scratch = await postgresDatabase(args['database-url'] ?? '', registerCleanup);
    await loadPostgres(scratch, sizes);
    database = { DATABASE_URL: scratch.url };
  } else {
    const [dir] = await pgliteDirectories(1, sizes, registerCleanup);
    database = { DATA_DIR: dir ?? '' };
  }
  const profileDir = await mkdtemp(path.join(os.tmpdir(), 'connections-profile-'));
  const server = await launch(
    {
      name: `server-${engine}`,
      args: () => ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--import', 'tsx', 'server/main.ts'],
      env: { ...database, ...SERVER_SETTINGS, JWT_SECRET: jwtSecret },
      readyPath: '/readyz',
      logErrors: args['log-errors'],
    },
    (p) => registerCleanup(() => stop(p)),
  );
  const issuer = createTokenIssuer({ secret: jwtSecret, ttlSeconds: 3600, now: () => new Date() });
  const sign = (caller: Caller): string => issuer.issue(caller).accessToken;
  const generator = startGenerator();
  registerCleanup(() => generator.close());
  const base = '/v1';
  const requests =
    workload === 'get'
      ? [getRequest(base, sign)]
      : Array.from({ length: POST_GUESTS }, (_, i) => postRequest(base, sign, i + 1));
  const job: Job = {
    origins: [`http://127.0.0.1:${server.port}`],
    connections: Number(args.connections),
    requests,
    once: workload === 'post',
    expect: workload === 'get' ? 200 : 201,
    warmup: span(1),
    measure: span(seconds),
    pids: [server.pid],
  };
  const outcome = await generator.run(job);
  process.stderr.write(
    `${engine} ${workload}: ${outcome.requestsPerSecond.toFixed(0)} req/s under the profiler, ` +
      `${((outcome.serverCpuSeconds / Math.max(1, outcome.requests)) * 1e6).toFixed(0)} server CPU µs/req, ${outcome.errors} unexpected answers` +
      `${outcome.firstError ? ` (first: ${outcome.firstError})` : ''}\n`,
  );
  await stop(server);
  for (const line of server.errors()) process.stderr.write(`server error: ${line.slice(0, 2000)}\n`);
  // The main thread's profile is the largest (tsx's loader thread writes one too).
  const files = (await readdir(profileDir)).filter((name) => name.endsWith('.cpuprofile'));
  const bytes = await Promise.all(files.map(async (name) => (await stat(path.join(profileDir, name))).size));
  const file = files[bytes.indexOf(Math.max(...bytes))];
  if (file === undefined) throw new Error(`no profile was written to ${profileDir}`);
  const profile = JSON.parse(await readFile(path.join(profileDir, file), 'utf8')) as Profile;
  console.log(`profile: ${path.join(profileDir, file)}\n${summarize(profile, Number(args.top))}`);
  await cleanUp();
}

runMain(main);
