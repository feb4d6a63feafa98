// `--mode profile`: one server under one workload with `node --cpu-prof`, then where its CPU went
// (self time by file and by function). For finding hot spots: its rates are not comparable, the
// profiler slows the server down. The profile itself stays in $TMPDIR.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pgliteDirectories, postgresDatabase } from './data.js';
import { generate, summaryOf } from './loadgen.js';
import { progress, stop } from './processes.js';
import { type Engine, startTarget } from './targets.js';
import { CONNECTIONS, signer, WARMUP_SECONDS, WORKLOADS } from './workloads.js';

type Frame = { functionName: string; url: string; lineNumber: number };
type Profile = { nodes: { id: number; callFrame: Frame }[]; samples: number[]; timeDeltas: number[] };

/** A frame's place: its package, or our own source path. */
function place(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules < 0) return url.replace(/^file:\/\/.*?\/(server|bench)\//, '$1/') || '(native)';
  const [scope = url, name] = url.slice(modules + 'node_modules/'.length).split('/');
  return scope.startsWith('@') ? `${scope}/${name}` : scope;
}

/** Self time: the top 20 files and the top 40 functions. */
function summarize(profile: Profile): string {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const functions = new Map<string, number>();
  const files = new Map<string, number>();
  let total = 0;
  for (const [i, id] of profile.samples.entries()) {
    const [frame, time = 0] = [frames.get(id), profile.timeDeltas[i]];
    if (frame === undefined) continue;
    const where = place(frame.url);
    const name = `${frame.functionName || '(anonymous)'}  ${where}:${frame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + time);
    files.set(where, (files.get(where) ?? 0) + time);
    total += time;
  }
  const top = (map: Map<string, number>, count: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, time]) => `${((time / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
  const sampled = `self time by file (${(total / 1e6).toFixed(1)} s sampled):`;
  return [sampled, ...top(files, 20), '', 'self time by function:', ...top(functions, 40)].join('\n');
}

type Options = { engine: Engine; workload: 'get' | 'list' | 'post'; seconds: number; databaseUrl: string };

export async function profile(o: Options) {
  const jwtSecret = randomBytes(32).toString('hex');
  const { fresh, expect, request } = WORKLOADS[o.workload];
  const postGuests = fresh ? Math.ceil((o.seconds + 2) * 1500) : 0;
  const database: Record<string, string> =
    o.engine === 'postgres'
      ? { DATABASE_URL: (await postgresDatabase(o.databaseUrl, { postGuests })).url }
      : { DATA_DIR: (await pgliteDirectories(1, { postGuests }))[0] ?? '' };
  const profiles = await mkdtemp(path.join(os.tmpdir(), 'connections-profile-'));
  const cpuProf = ['--cpu-prof', `--cpu-prof-dir=${profiles}`];
  const server = await startTarget(`server-${o.engine}`, { ...database, JWT_SECRET: jwtSecret }, cpuProf);
  const sign = await signer(jwtSecret, postGuests);
  const requests = Array.from({ length: fresh ? postGuests : 1 }, (_, i) => request('/v1', sign, i + 1));
  const job = { processes: server.processes, connections: CONNECTIONS, requests, once: fresh === true, expect };
  const measured = await generate({ ...job, warmup: { seconds: WARMUP_SECONDS }, measure: { seconds: o.seconds } });
  const cpu = ((measured.cpu.server / Math.max(1, measured.requests)) * 1e6).toFixed(0);
  progress(`${o.engine} ${o.workload} under the profiler: ${summaryOf(measured)}, ${cpu} server CPU µs/req`);
  await Promise.all(server.processes.map(stop));
  // The main thread's profile is the largest (tsx's loader thread writes one too).
  const files = (await readdir(profiles)).filter((name) => name.endsWith('.cpuprofile'));
  const sizesOf = await Promise.all(files.map(async (name) => (await stat(path.join(profiles, name))).size));
  const file = files[sizesOf.indexOf(Math.max(...sizesOf))];
  if (file === undefined) throw new Error(`no profile was written to ${profiles}`);
  const summary = summarize(JSON.parse(await readFile(path.join(profiles, file), 'utf8')) as Profile);
  console.log(`profile: ${path.join(profiles, file)}\n${summary}`);
}
