// `--mode startup`: how long a start takes, from the spawn of the command until its port accepts
// TCP connections ("listens") and until `GET /readyz` answers 200 ("ready"; the mock: its first
// HTTP answer of any kind). The server binds its port before it opens the database, so the two
// differ. Cases: first (an empty DATA_DIR each run: template, migrations, demo), restart (one
// DATA_DIR started once before the runs), sandbox (`npm run sandbox`), mock (`npm run mock`).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { launch, registerCleanup, stop } from './processes.js';
import { table } from './report.js';

const npm = (...args: string[]) => ({ command: 'npm', args: () => [...args, '--silent'] });
const CASES: Record<string, { command: string; args(port: number): string[] }> = {
  first: npm('start'),
  restart: npm('start'),
  sandbox: npm('run', 'sandbox'),
  mock: {
    command: 'node_modules/.bin/prism',
    args: (port) => `mock openapi.yaml --host 127.0.0.1 --port ${port}`.split(' '),
  },
};

/** Min / median (the lower of the middle two) / max, in seconds. */
function spread(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const picked = [sorted[0], sorted[Math.floor((sorted.length - 1) / 2)], sorted.at(-1)];
  return picked.map((ms) => `${((ms ?? Number.NaN) / 1000).toFixed(2)} s`).join(' / ');
}

export async function startupTimes(runs: number, cases: string[]): Promise<void> {
  const rows = [];
  for (const name of cases) {
    const command = CASES[name];
    if (command === undefined) throw new Error(`unknown case ${name}; known: ${Object.keys(CASES).join(', ')}`);
    const root = await mkdtemp(path.join(os.tmpdir(), 'connections-startup-'));
    registerCleanup(() => rm(root, { recursive: true, force: true }));
    // first: a new DATA_DIR each start; restart: the one made by a start before the runs.
    const start = async () => {
      const first = name === 'first' ? await mkdtemp(path.join(root, 'first-')) : undefined;
      const env: Record<string, string> = first || name === 'restart' ? { DATA_DIR: first ?? root } : {};
      const started = await launch({ name, ...command, env, anyStatus: name === 'mock' });
      await stop(started);
      if (first) await rm(first, { recursive: true, force: true });
      return started;
    };
    if (name === 'restart') await start();
    const times = [];
    for (let run = 0; run < runs; run++) times.push(await start());
    rows.push([name, runs, spread(times.map((t) => t.listens)), spread(times.map((t) => t.ready))]);
  }
  console.log(table(['case', 'runs', 'listens: min / median / max', 'ready: min / median / max'], rows));
}
