// Server processes of the benchmark: `server/main.ts` exactly as `npm start` runs it, but
// through `node --import tsx` so the pid recorded is the server's own (the tsx CLI would put a
// parent process in between). Stopped by that pid only.
import { spawn, type ChildProcess } from 'node:child_process';
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

/**
 * Resolves once the server answers /readyz. `track` gets it right after the spawn, so whoever
 * cleans up can stop a server that is still starting.
 */
export async function startServer(env: Record<string, string>, track: (server: ServerProcess) => void): Promise<ServerProcess> {
  const port = await freePort();
  // stdout carries one JSON log line per request: the server still formats and writes each one,
  // but to /dev/null, so no reader of ours competes for the cores.
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: REPO,
    // Rate limits off: a benchmark measures the server, not its throttle.
    env: { ...process.env, RATE_LIMIT_PER_SECOND: '0', TOKEN_FAILURES_PER_MINUTE: '0', ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  if (child.pid === undefined) throw new Error('the server process did not start');
  const server: ServerProcess = { pid: child.pid, port, child, stderr: () => stderr };
  track(server);
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
