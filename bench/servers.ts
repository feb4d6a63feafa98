// Server processes of the benchmark: `server/main.ts` exactly as `npm start` runs it, but
// through `node --import tsx` so the pid recorded is the server's own (the tsx CLI would put a
// parent process in between). Stopped by that pid only.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

export interface ServerProcess {
  pid: number;
  port: number;
  child: ChildProcess;
  /** What the server wrote to stderr, for the report when it fails. */
  stderr(): string;
}

/** A port nobody listens on now; the server binds it a moment later. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  // stdout carries one JSON log line per request: the server still formats and writes each one,
  // but to /dev/null, so no reader of ours competes for the cores.
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: REPO,
    env: { ...process.env, ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  if (child.pid === undefined) throw new Error('the server process did not start');
  const server: ServerProcess = { pid: child.pid, port, child, stderr: () => stderr };
  try {
    await waitUntilReady(server);
  } catch (error) {
    await stopServer(server);
    throw error;
  }
  return server;
}

async function waitUntilReady(server: ServerProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null) throw new Error(`the server exited with ${server.child.exitCode}: ${server.stderr()}`);
    const ready = await fetch(`http://127.0.0.1:${server.port}/readyz`).then((r) => r.ok, () => false);
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the server on port ${server.port} was not ready within ${READY_TIMEOUT_MS} ms: ${server.stderr()}`);
}

/** SIGTERM (the server drains and closes its database), SIGKILL if it does not exit in time. */
export async function stopServer(server: ServerProcess): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

// CPU time from /proc, in seconds: a process's user+system, and the whole machine's busy time.
const TICKS_PER_SECOND = 100; // USER_HZ, 100 on Linux/x86

export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may hold spaces; the fields after it are fixed: utime is the 12th, stime the 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

export function machineBusySeconds(): number {
  const [, ...values] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/);
  const ticks = values.map(Number);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
  return (ticks.reduce((sum, t) => sum + t, 0) - idle) / TICKS_PER_SECOND;
}
