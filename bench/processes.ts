// The processes of a bench run, and what must be undone however it ends. Each runs in a process
// group of its own, stopped by that group only; a server is node itself (no npm or tsx CLI in
// between, so the pid measured is the one serving).
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('..', import.meta.url));
// Generous: on a busy machine nine processes compiling the contract and PGlite at once take minutes.
const READY_TIMEOUT_MS = 300_000;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const progress = (line: string): void => void process.stderr.write(`${line}\n`);

// Undone newest first (servers stop before their database goes), one pass at a time.
const cleanups: (() => Promise<unknown>)[] = [];
const aborter = new AbortController();
/** Aborted once the run is being stopped early: nothing more is measured. */
export const stopping = aborter.signal;
let cleaning: Promise<void> | undefined;

export function registerCleanup(cleanup: () => Promise<unknown>): void {
  cleanups.push(cleanup);
  if (stopping.aborted) void cleanUp(); // made while a stop was under way: undone as well
}

export function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (let next = cleanups.pop(); next !== undefined; next = cleanups.pop())
      await next().catch((error: unknown) => progress(`cleanup failed: ${String(error)}`));
  })().finally(() => (cleaning = undefined));
  return cleaning;
}

/** Runs `main`, cleaning up when it ends or fails, on SIGINT/SIGTERM, on a crash, and past `limitMs`. */
export function runMain(main: () => Promise<void>, limitMs: number): void {
  const stopEarly = (code: number, error?: unknown): void => {
    if (error !== undefined) progress(error instanceof Error ? `${error.stack}` : String(error));
    if (stopping.aborted) return;
    aborter.abort();
    setTimeout(() => process.exit(code), 60_000).unref();
    void cleanUp().finally(() => process.exit(code));
  };
  // Not once: under npm a Ctrl-C arrives twice, and a second signal without a listener would cut the cleanup short.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stopEarly(130));
  process.on('uncaughtException', (error) => stopEarly(1, error));
  setTimeout(() => stopEarly(1, `the bench ran over ${limitMs / 1000} s: stopping`), limitMs).unref();
  main().then(cleanUp, (error: unknown) => {
    if (!stopping.aborted) stopEarly(1, error); // else already stopping, and said why
  });
}

const proc = (file: string): string => {
  try {
    return readFileSync(`/proc/${file}`, 'utf8');
  } catch {
    return '';
  }
};
const TICKS_PER_SECOND = 100; // USER_HZ on Linux/x86

/** User + system seconds of a process, threads included; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  // The command name may hold spaces; after it utime is the 12th field, stime the 13th.
  const fields = proc(`${pid}/stat`).split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / TICKS_PER_SECOND;
}

/** Seconds the machine has been busy (neither idle nor waiting for I/O) since boot, all cores added. */
export function machineBusySeconds(): number {
  const ticks = (proc('stat').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  return (ticks.reduce((sum, t) => sum + t, 0) - (ticks[3] ?? 0) - (ticks[4] ?? 0)) / TICKS_PER_SECOND;
}

/** VmRSS in bytes; NaN once the process is gone. */
export const residentBytes = (pid: number): number =>
  Number(/^VmRSS:\s+(\d+) kB$/m.exec(proc(`${pid}/status`))?.[1] ?? Number.NaN) * 1024;

/** A port nobody listens on now; the process binds it a moment later. */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = net.createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }).once('error', () => resolve(false));
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
  });

/** `listens` and `ready`: milliseconds from the spawn until the port accepted connections and until it answered. */
export type Process = { pid: number; port: number; child: ChildProcess; listens: number; ready: number };

type Spec = { name: string; command?: string; args(port: number): string[]; env?: Record<string, string> } & {
  anyStatus?: boolean;
};
/**
 * Starts `command` (node itself by default) with `args(port)` and resolves once `GET /readyz`
 * answers 2xx (any HTTP status with `anyStatus`: Prism has no such path); the process is stopped
 * at the cleanup, even while still starting.
 */
export async function launch(spec: Spec): Promise<Process> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(spec.command ?? process.execPath, spec.args(port), {
    cwd: REPO,
    env: { ...process.env, ...spec.env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true, // its own group: npm's shell and the server under it go with one signal
  });
  if (child.pid === undefined) throw new Error(`${spec.name} did not start`);
  registerCleanup(() => stop({ child }));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  const waited = (): void => {
    if (child.exitCode !== null) throw new Error(`${spec.name} exited with ${child.exitCode}: ${stderr}`);
    if (performance.now() > started + READY_TIMEOUT_MS)
      throw new Error(`${spec.name} was not ready within ${READY_TIMEOUT_MS} ms: ${stderr}`);
  };
  for (; !(await accepts(port)); await sleep(5)) waited();
  const listens = performance.now() - started;
  for (; ; await sleep(10)) {
    waited();
    const status = (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status ?? 0;
    if (status !== 0 && (spec.anyStatus || status < 300))
      return { pid: child.pid, port, child, listens, ready: performance.now() - started };
  }
}

/** SIGTERM to its group (a server drains and closes its database), SIGKILL if it has not exited after 10 s. */
export async function stop({ child }: { child: ChildProcess }): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const signal = (name: NodeJS.Signals) => () => {
    try {
      process.kill(-(child.pid ?? 0), name);
    } catch {
      // the group is gone already
    }
  };
  signal('SIGTERM')();
  const timer = setTimeout(signal('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
