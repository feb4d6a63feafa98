// `npm start` as a developer or a process manager runs it: a signal to the process npm started
// (or to npm itself) stops the server, and nothing is left running. npm runs a script through
// `sh -c`, and a shell that stays between npm and the server dies of the signal without
// passing it on, leaving the server orphaned; the script `exec`s, so npm's child is the server.
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/store/database.js';
import { migrateToLatest } from '../../server/store/migrate.js';
import { childPids, isAlive, killRunningServers, startServer, type RunningServer } from './server-process.js';

let dataDir: string;

// The database is made here, so every `npm start` below is a later start (the quick kind), and
// a test that fails cannot leave the next one a first start to wait for.
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'connections-npm-start-'));
  const store = await openDatabase({ dataDir });
  await migrateToLatest(store.db);
  await store.close();
}, 120_000);

afterAll(async () => {
  await killRunningServers();
  await rm(dataDir, { recursive: true, force: true });
});

/** Resolves once the process is gone; a process that stops cleanly takes well under this. */
async function gone(pid: number): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return !isAlive(pid);
}

/** Whether anything accepts TCP connections on the server's port now. */
function accepts(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function npmStart(): Promise<{ server: RunningServer; child: number }> {
  const server = await startServer({ DATA_DIR: dataDir }, ['npm', 'start']);
  const children = childPids(server.process.pid);
  expect(children).toHaveLength(1);
  const [child = 0] = children;
  // What npm started is the server itself: it has no children of its own (no shell, no tsx CLI).
  expect(childPids(child)).toEqual([]);
  expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  return { server, child };
}

describe('npm start', () => {
  // A test that fails leaves no server holding the data folder for the next one.
  afterEach(async () => {
    await killRunningServers();
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'stops on %s to the process npm started, leaving no server behind',
    async (signal) => {
      const { server, child } = await npmStart();
      process.kill(child, signal);
      expect(await server.process.exited).toEqual({ code: 0, signal: null });
      expect(server.process.stderr()).toContain(`connections-api: ${signal}, finishing requests in flight`);
      expect(await gone(child)).toBe(true);
      expect(await accepts(server.url)).toBe(false);
    },
    90_000,
  );

  it('stops on SIGTERM to npm itself, which passes it on', async () => {
    const { server, child } = await npmStart();
    process.kill(server.process.pid, 'SIGTERM');
    await server.process.exited;
    expect(await gone(child)).toBe(true);
    expect(server.process.stderr()).toContain('connections-api: SIGTERM, finishing requests in flight');
    expect(await accepts(server.url)).toBe(false);
  }, 90_000);
});
