// The processes under test: each is started by its own pid (node directly, no npm or tsx CLI
// in between, so the pid measured is the one serving), waited for until it answers HTTP, and
// stopped by that pid only.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('..', import.meta.url));
// Generous: on a busy machine nine processes compiling the contract and PGlite at once take minutes.
const READY_TIMEOUT_MS = 300_000;
const STOP_TIMEOUT_MS = 10_000;

export interface Process {
  name: string;
  pid: number;
  port: number;
  child: ChildProcess;
  /** The tail of what it wrote to stderr, for the report when it fails. */
  stderr(): string;
  /** The first lines it logged at level error (only with `logErrors`). */
  errors(): string[];
}

/** A port nobody listens on now; the process binds it a moment later. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface Launch {
  name: string;
  /** Arguments to node; `port` is the one the process must listen on. */
  args(port: number): string[];
  env?: Record<string, string>;
  /** A path that answers once the process is ready (any HTTP status counts when `anyStatus`). */
  readyPath: string;
  anyStatus?: boolean;
  /** Keep the first error lines of its request log (stdout), which otherwise goes to /dev/null. */
  logErrors?: boolean;
}

/**
 * Resolves once the process answers. `track` gets it right after the spawn, so whoever cleans
 * up can stop a process that is still starting.
 */
export async function launch(spec: Launch, track: (process: Process) => void): Promise<Process> {
  const port = await freePort();
  // stdout carries the server's request log: still formatted and written, but to /dev/null.
  const child = spawn(process.execPath, spec.args(port), {
    cwd: REPO,
    env: { ...process.env, ...spec.env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', spec.logErrors === true ? 'pipe' : 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const errors: string[] = [];
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines)
      if (errors.length < 5 && line.includes('"level":"error"') && line.includes('"error"')) errors.push(line);
  });
  if (child.pid === undefined) throw new Error(`${spec.name} did not start`);
  const started: Process = { name: spec.name, pid: child.pid, port, child, stderr: () => stderr, errors: () => errors };
  track(started);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${spec.name} exited with ${child.exitCode}: ${stderr}`);
    const status = await fetch(`http://127.0.0.1:${port}${spec.readyPath}`).then(
      (r) => r.status,
      () => 0,
    );
    if (status !== 0 && (spec.anyStatus === true || status < 300)) return started;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${spec.name} was not ready within ${READY_TIMEOUT_MS} ms: ${stderr}`);
}

/** SIGTERM (a server drains and closes its database), SIGKILL if it does not exit in time. */
export async function stop(target: Process): Promise<void> {
  const { child } = target;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
