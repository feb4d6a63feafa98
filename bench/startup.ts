// How long a start takes: from the spawn of the command until its port accepts TCP
// connections ("listens"), and until `GET /readyz` answers 200 ("ready"; the mock: its first
// HTTP answer of any kind). The server binds its port before it opens the database, and holds
// requests that arrive meanwhile, so the two differ. Not a test: prints min/median/max of each
// case over --runs.
//
//   npx tsx bench/startup.ts --runs 5 --cases first,restart,sandbox,mock [--command npm|tsx|dist]
//
// first: an empty DATA_DIR each run (creates the database, migrates, seeds the demo).
// restart: one DATA_DIR that was started once before the runs.
// sandbox: `npm run sandbox` (in-memory database with the demo). mock: `npm run mock`.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from './processes.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const TIMEOUT_MS = 60_000;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    cases: { type: 'string', default: 'first,restart,sandbox,mock' },
    command: { type: 'string', default: 'npm' },
  },
});
const runs = Number(values.runs);

/** How the server is started: what `npm start` runs, through npm or not, or the compiled build. */
const serverCommands: Record<string, string[]> = {
  npm: ['npm', 'start', '--silent'],
  tsx: [process.execPath, '--import', 'tsx', 'server/main.ts'],
  dist: [process.execPath, 'dist/server/main.js'],
};

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

type Timing = { listens: number; ready: number };

async function timeOneStart(
  argv: string[],
  env: Record<string, string>,
  port: number,
  probe: string,
  anyAnswer: boolean,
): Promise<Timing> {
  const [command = '', ...args] = argv;
  const started = performance.now();
  // Its own process group, so the whole tree (npm, its shell, the server) is stopped by one signal.
  const child = spawn(command, args, { cwd: REPO, env: { ...process.env, ...env }, stdio: 'ignore', detached: true });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const deadline = started + TIMEOUT_MS;
    const check = () => {
      if (child.exitCode !== null) throw new Error(`${argv.join(' ')} exited with ${child.exitCode}`);
      if (performance.now() > deadline)
        throw new Error(`${argv.join(' ')} did not answer ${probe} within ${TIMEOUT_MS} ms`);
    };
    while (!(await accepts(port))) {
      check();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const listens = performance.now() - started;
    for (;;) {
      check();
      const status = await fetch(probe).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200 || (anyAnswer && status !== 0)) return { listens, ready: performance.now() - started };
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
}

async function measureCase(name: string): Promise<Timing[]> {
  const times: Timing[] = [];
  const serverCommand = serverCommands[values.command] ?? [];
  const restartDir = await mkdtemp(path.join(tmpdir(), 'connections-startup-'));
  try {
    for (let run = 0; run < runs + (name === 'restart' ? 1 : 0); run++) {
      const port = await freePort();
      const root = `http://127.0.0.1:${port}`;
      const env = { PORT: String(port), HOST: '127.0.0.1' };
      let ms: Timing;
      if (name === 'first') {
        const dataDir = await mkdtemp(path.join(tmpdir(), 'connections-startup-'));
        ms = await timeOneStart(serverCommand, { ...env, DATA_DIR: dataDir }, port, `${root}/readyz`, false);
        await rm(dataDir, { recursive: true, force: true });
      } else if (name === 'restart') {
        ms = await timeOneStart(serverCommand, { ...env, DATA_DIR: restartDir }, port, `${root}/readyz`, false);
        if (run === 0) continue; // the start that created the database
      } else if (name === 'sandbox') {
        ms = await timeOneStart(['npm', 'run', '--silent', 'sandbox'], env, port, `${root}/readyz`, false);
      } else if (name === 'mock') {
        ms = await timeOneStart(
          ['node_modules/.bin/prism', 'mock', 'openapi.yaml', '--host', '127.0.0.1', '--port', String(port)],
          {},
          port,
          `${root}/readyz`,
          true,
        );
      } else {
        throw new Error(`unknown case ${name}`);
      }
      times.push(ms);
    }
  } finally {
    await rm(restartDir, { recursive: true, force: true });
  }
  return times;
}

const format = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const summary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `${format(sorted[0] ?? NaN)} / ${format(sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN)} / ${format(sorted.at(-1) ?? NaN)}`;
};
console.log(
  `| case (${values.command}) | runs | listens: min / median / max | ready: min / median / max |\n| --- | --- | --- | --- |`,
);
for (const name of values.cases.split(',')) {
  const times = await measureCase(name);
  console.log(
    `| ${name} | ${times.length} | ${summary(times.map((t) => t.listens))} | ${summary(times.map((t) => t.ready))} |`,
  );
}
