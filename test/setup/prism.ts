import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
// Loads vitest's types so the ProvidedContext augmentation below has a module to extend.
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    prismMockUrl: string;
  }
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const prismBin = `${root}node_modules/.bin/prism`;
const startupTimeoutMs = 30_000;

export interface PrismProcess {
  url: string;
  stop(): Promise<void>;
}

/** A port the OS reports free right now; Prism needs a concrete number. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string') reject(new Error('no TCP port assigned'));
        else resolve(address.port);
      });
    });
  });
}

/**
 * Starts `prism <args> openapi.yaml ...` on a free port of 127.0.0.1 and resolves once it answers HTTP.
 * The child runs in its own process group so stop() also ends Prism's own children.
 */
export async function startPrism(args: readonly string[]): Promise<PrismProcess> {
  const port = await freePort();
  const child = spawn(prismBin, [...args, '--host', '127.0.0.1', '--port', String(port), '-v', 'error'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(url, child);
  } catch (error) {
    await stopProcessGroup(child);
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`prism ${args.join(' ')} did not start: ${reason}\n--- prism output ---\n${output}`);
  }
  // Should the run end without teardown (a crash, Ctrl-C), do not leave Prism behind.
  const killOnExit = () => killGroup(child);
  process.once('exit', killOnExit);
  return {
    url,
    stop: async () => {
      process.off('exit', killOnExit);
      await stopProcessGroup(child);
    },
  };
}

/** Signals Prism's process group; false when it is gone already. */
function killGroup(child: ChildProcess): boolean {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return false;
  try {
    process.kill(-child.pid, 'SIGTERM');
    return true;
  } catch {
    return false;
  }
}

async function waitUntilAnswering(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + startupTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`exited (${child.exitCode ?? child.signalCode})`);
    try {
      // Any HTTP answer (even Prism's 404 for an unknown path) means it listens.
      await fetch(`${url}/__prism_ready__`);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`no HTTP answer within ${startupTimeoutMs} ms`);
}

async function stopProcessGroup(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (killGroup(child)) await exited;
}

// The mock is shared by every test file (cheap, stateless). The proxy in front of the real server
// is started by the contract suite itself: it needs a live app, which belongs to that file's worker.
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const mock = await startPrism(['mock', 'openapi.yaml']);
  project.provide('prismMockUrl', mock.url);
  return () => mock.stop();
}
