// The load generator runs in a process of its own (bench/loadgen.ts, autocannon's programmatic
// API), apart from the servers and from this process, which only orchestrates. It takes one
// job at a time over IPC.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** When a phase ends: once `seconds` have passed and `minRequests` are answered, or at `maxSeconds` with one. */
export interface Span {
  seconds: number;
  minRequests: number;
  maxSeconds: number;
}

export interface Job {
  /** `http://127.0.0.1:<port>` of each process of the target; connections are spread over them. */
  origins: string[];
  connections: number;
  /** Sent again and again; with `once`, each is sent once, in order (fresh data per request). */
  requests: RequestSpec[];
  once: boolean;
  /** The status every answer must have. */
  expect: number;
  /** The `total_items` every answer must carry (lists). */
  totalItems?: number;
  warmup: Span;
  measure: Span;
  /** The processes whose CPU time is measured (the target's). */
  pids: number[];
}

export interface Outcome {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** Answers with another status than expected, or a wrong `total_items`, warm-up included. */
  errors: number;
  statuses: Record<string, number>;
  firstError: string | undefined;
  /** Over the measured span only. */
  serverCpuSeconds: number;
  generatorCpuSeconds: number;
  machineBusySeconds: number;
  /** `once` requests ran out before the span ended: the span was cut short. */
  exhausted: boolean;
}

type Message = { id: number; warm: true } | { id: number; outcome: Outcome } | { id: number; error: string };

export interface Generator {
  pid: number;
  /** `onWarm` runs when the warm-up ends and the measured span begins. */
  run(job: Job, onWarm?: () => void): Promise<Outcome>;
  close(): Promise<void>;
}

export function startGenerator(): Generator {
  const child: ChildProcess = fork(fileURLToPath(new URL('./loadgen.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let next = 0;
  const waiting = new Map<
    number,
    { onWarm?: () => void; resolve(outcome: Outcome): void; reject(error: Error): void }
  >();
  child.on('message', (message: Message) => {
    const job = waiting.get(message.id);
    if (job === undefined) return;
    if ('warm' in message) return job.onWarm?.();
    waiting.delete(message.id);
    if ('error' in message) job.reject(new Error(`load generator: ${message.error}`));
    else job.resolve(message.outcome);
  });
  child.on('exit', (code) => {
    for (const job of waiting.values()) job.reject(new Error(`the load generator exited with ${code}`));
    waiting.clear();
  });
  return {
    pid: child.pid ?? 0,
    run(job, onWarm) {
      const id = next++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { onWarm, resolve, reject });
        child.send({ id, job });
      });
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
