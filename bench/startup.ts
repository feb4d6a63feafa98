// `--mode startup`: how long a start takes, from the spawn of the command until its port accepts
// TCP connections ("listens") and until `GET /readyz` answers 200 ("ready"; the mock: its first
// HTTP answer of any kind). The server binds its port before it opens the database, so the two
// differ. Cases: first (an empty DATA_DIR each run: template, migrations, demo), restart (one
// DATA_DIR started once before the runs), sandbox (`npm run sandbox`), mock (`npm run mock`).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, httpStatus, REPO, registerCleanup, sleep } from './processes.js';
import { tableHead, tableRow } from './report.js';

const COMMANDS: Record<string, string[]> = {
  first: ['npm', 'start', '--silent'],
  restart: ['npm', 'start', '--silent'],
  sandbox: ['npm', 'run', '--silent', 'sandbox'],
  mock: ['node_modules/.bin/prism', 'mock', 'openapi.yaml', '--host', '127.0.0.1', '--port', '$PORT'],
};

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }).once('error', () => resolve(false));
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
  });

/** Milliseconds from the spawn until the port listens and until the probe answers. */
async function timeOneStart(argv: string[], env: Record<string, string>, anyAnswer = false) {
  const port = await freePort();
  const [command = '', ...rest] = argv.map((arg) => arg.replace('$PORT', String(port)));
  const started = performance.now();
  // Its own process group, so the whole tree (npm, its shell, the server) is stopped by one signal.
  const child = spawn(command, rest, {
    cwd: REPO,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: 'ignore',
    detached: true,
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const check = () => {
      if (child.exitCode !== null) throw new Error(`${argv.join(' ')} exited with ${child.exitCode}`);
      if (performance.now() > started + 60_000) throw new Error(`${argv.join(' ')} did not answer within 60 s`);
    };
    for (; !(await accepts(port)); await sleep(5)) check();
    const listens = performance.now() - started;
    for (; ; await sleep(10)) {
      check();
      const status = await httpStatus(port, '/readyz');
      if (status === 200 || (anyAnswer && status !== 0)) return { listens, ready: performance.now() - started };
    }
  } finally {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
}

async function measureCase(name: string, runs: number) {
  const command = COMMANDS[name];
  if (command === undefined) throw new Error(`unknown case ${name}; known: ${Object.keys(COMMANDS).join(', ')}`);
  const dataDir = () => mkdtemp(path.join(tmpdir(), 'connections-startup-'));
  const restartDir = await dataDir();
  registerCleanup(() => rm(restartDir, { recursive: true, force: true }));
  if (name === 'restart') await timeOneStart(command, { DATA_DIR: restartDir }); // the start that creates it
  const times: { listens: number; ready: number }[] = [];
  for (let run = 0; run < runs; run++) {
    const fresh = name === 'first' ? await dataDir() : restartDir;
    const env: Record<string, string> = name === 'first' || name === 'restart' ? { DATA_DIR: fresh } : {};
    times.push(await timeOneStart(command, env, name === 'mock'));
    if (name === 'first') await rm(fresh, { recursive: true, force: true });
  }
  return times;
}

/** Min / median (the lower of the middle two) / max, in seconds. */
function spread(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const picked = [sorted[0], sorted[Math.floor((sorted.length - 1) / 2)], sorted.at(-1)];
  return picked.map((ms) => `${((ms ?? Number.NaN) / 1000).toFixed(2)} s`).join(' / ');
}

export async function startupTimes(runs: number, cases: string[]): Promise<void> {
  console.log(tableHead(['case', 'runs', 'listens: min / median / max', 'ready: min / median / max']));
  for (const name of cases) {
    const times = await measureCase(name, runs);
    const column = (key: 'listens' | 'ready') => spread(times.map((t) => t[key]));
    console.log(tableRow([name, times.length, column('listens'), column('ready')]));
  }
}
