// The server as an operator runs it: `node --import tsx server/main.ts` (what `npm start`
// execs), or another command such as `npm start` itself, in a child process with an
// environment of its own, and everything it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const SERVER_COMMAND = [process.execPath, '--import', 'tsx', 'server/main.ts'];
// Generous: a first start creates PGlite (~5 s alone) while other test files load the cores.
const WAIT_MS = 45_000;

export type Exit = { code: number | null; signal: NodeJS.Signals | null };
type Stream = 'stdout' | 'stderr';
type Waiter = {
  stream: Stream;
  pattern: RegExp;
  resolve: (match: RegExpMatchArray) => void;
  reject: (error: Error) => void;
};

const running = new Set<ServerProcess>();

class ServerProcess {
  readonly pid: number;
  /** Resolves once the process has exited and its output has been read to the end. */
  readonly exited: Promise<Exit>;
  private readonly output: Record<Stream, string> = { stdout: '', stderr: '' };
  private waiters: Waiter[] = [];
  private readonly child: ChildProcess;

  constructor(env: Record<string, string>, [command, ...args]: string[] = SERVER_COMMAND) {
    if (command === undefined) throw new Error('no command');
    // Only what is given: the server must not pick up DATABASE_URL or JWT_SECRET from the test
    // run. HOME lets npm find its cache and configuration when the command is npm.
    this.child = spawn(command, args, {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        PORT: '0',
        HOST: '127.0.0.1',
        SECRET_HASH_COST: process.env.SECRET_HASH_COST ?? '',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (this.child.pid === undefined) throw new Error('the server process did not spawn');
    this.pid = this.child.pid;
    running.add(this);
    for (const stream of ['stdout', 'stderr'] as const) {
      this.child[stream]?.on('data', (chunk: Buffer) => {
        this.output[stream] += chunk.toString('utf8');
        this.settleWaiters();
      });
    }
    // 'close', not 'exit': only then has all the output been read.
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        running.delete(this);
        for (const waiter of this.waiters) {
          waiter.reject(
            new Error(
              `the server exited (${code ?? signal}) before its ${waiter.stream} matched ${waiter.pattern}\n${this.transcript()}`,
            ),
          );
        }
        this.waiters = [];
        resolve({ code, signal });
      });
    });
  }

  stdout(): string {
    return this.output.stdout;
  }

  stderr(): string {
    return this.output.stderr;
  }

  /** The first match of `pattern` in everything the stream has printed, once there is one. */
  waitFor(stream: Stream, pattern: RegExp): Promise<RegExpMatchArray> {
    const match = this.output[stream].match(pattern);
    if (match !== null) return Promise.resolve(match);
    if (!running.has(this))
      return Promise.reject(new Error(`the server has exited; its ${stream} never matched ${pattern}`));
    return new Promise((resolve, reject) => {
      const done =
        <T>(settle: (value: T) => void) =>
        (value: T) => {
          clearTimeout(timer);
          settle(value);
        };
      const waiter: Waiter = { stream, pattern, resolve: done(resolve), reject: done(reject) };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((other) => other !== waiter);
        reject(new Error(`the server's ${stream} did not match ${pattern} within ${WAIT_MS} ms\n${this.transcript()}`));
      }, WAIT_MS);
      this.waiters.push(waiter);
    });
  }

  /** Sends the signal and resolves with how the process exited. */
  async signal(signal: NodeJS.Signals): Promise<Exit> {
    // The ChildProcess signals the pid it spawned, and only while it has not exited.
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }

  transcript(): string {
    return `--- stdout ---\n${this.output.stdout}--- stderr ---\n${this.output.stderr}`;
  }

  private settleWaiters(): void {
    this.waiters = this.waiters.filter((waiter) => {
      const match = this.output[waiter.stream].match(waiter.pattern);
      if (match !== null) waiter.resolve(match);
      return match === null;
    });
  }
}

export interface RunningServer {
  process: ServerProcess;
  /** The address it printed, e.g. `http://127.0.0.1:40301`. */
  url: string;
}

const LISTENING = /^connections-api listening on (http:\/\/\S+) /m;

/** Starts the server and resolves once it has printed where it listens. */
export async function startServer(env: Record<string, string>, command?: string[]): Promise<RunningServer> {
  const server = new ServerProcess(env, command);
  const [, url] = await server.waitFor('stdout', LISTENING);
  if (url === undefined) throw new Error(`no URL in the listening line\n${server.transcript()}`);
  return { process: server, url };
}

/** Starts `npm run worker`'s process (the webhook dispatcher alone) and resolves once it says it runs. */
export async function startWorker(env: Record<string, string>): Promise<ServerProcess> {
  const worker = new ServerProcess(env, [process.execPath, '--import', 'tsx', 'server/worker.ts']);
  await worker.waitFor('stdout', /^connections-api worker sending webhooks$/m);
  return worker;
}

/** Runs the server to its end, for starts that must fail. */
export async function runToExit(
  env: Record<string, string>,
  command?: string[],
): Promise<Exit & { stdout: string; stderr: string }> {
  const server = new ServerProcess(env, command);
  const exit = await server.exited;
  return { ...exit, stdout: server.stdout(), stderr: server.stderr() };
}

/** For afterAll: kills, by pid, every server a test started and left running (e.g. after a failed expectation). */
export async function killRunningServers(): Promise<void> {
  await Promise.all(
    [...running].map((server) => {
      // A command such as npm has the server as its child: that one first, or it is orphaned.
      for (const pid of childPids(server.pid)) signalIfAlive(pid, 'SIGKILL');
      return server.signal('SIGKILL');
    }),
  );
}

/** The pids of a process's children, from /proc (Linux). */
export function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return []; // the process is gone
  }
}

/** Whether a process with this pid exists (and is not a zombie waiting for its parent). */
export function isAlive(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0];
    return state !== 'Z';
  } catch {
    return false;
  }
}

function signalIfAlive(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}

/** The non-empty lines of some output. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

export type Credentials = { organization_id: string; client_id: string; client_secret: string };

/** The demo host's or guest's organization and API client, as the walkthrough prints them. */
export function demoOrganization(stdout: string, role: 'host' | 'guest'): Credentials {
  const pattern = new RegExp(
    `^# +${role}: .*\\n# +organization (\\S+)\\n# +client_id (\\S+) +client_secret (\\S+)$`,
    'm',
  );
  const [, organization_id, client_id, client_secret] = stdout.match(pattern) ?? [];
  if (organization_id === undefined || client_id === undefined || client_secret === undefined) {
    throw new Error(`the walkthrough shows no demo ${role}:\n${stdout}`);
  }
  return { organization_id, client_id, client_secret };
}

/** An access token from `POST /v1/oauth2/token`, waiting out a 429 as a client would; throws with the answer unless it is 200. */
export async function requestToken(url: string, credentials: Credentials): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(`${url}/v1/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_id: credentials.client_id, client_secret: credentials.client_secret }),
    });
    if (response.status === 429 && attempt < 5) {
      await response.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, 1000 * Number(response.headers.get('retry-after') ?? 1)));
      continue;
    }
    if (response.status !== 200) throw new Error(`createToken answered ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { access_token: string }).access_token;
  }
}

/** `GET /v1/organizations/{id}` as that organization (the Self scenario). */
export function getOwnOrganization(
  url: string,
  organizationId: string,
  token: string,
  requestId?: string,
): Promise<Response> {
  return fetch(`${url}/v1/organizations/${organizationId}`, {
    headers: {
      Authorization: `Bearer ${token}`,
      'Requester-Organization-ID': organizationId,
      'Target-Organization-ID': organizationId,
      ...(requestId === undefined ? {} : { 'X-Request-Id': requestId }),
    },
  });
}
