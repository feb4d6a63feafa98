// A closed-loop HTTP load generator: a fixed number of workers, each sending its next request
// as soon as its previous one is answered, over keep-alive connections (node:http, which costs
// the generator far less CPU per request than fetch: it shares the 2 cores with the server).
import http from 'node:http';

export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** The status a correct answer has; anything else counts as an error. */
  expect: number;
}

export interface Completion {
  /** ms since the load started, when the response ended. */
  end: number;
  latency: number;
  ok: boolean;
}

export interface LoadResult {
  completions: Completion[];
  /** Unexpected answers over the whole load, warm-up included, and the first of them. */
  errors: number;
  firstError: string | undefined;
}

export interface LoadOptions {
  /** Loopback ports of the server processes; requests go round-robin over them. */
  ports: number[];
  concurrency: number;
  /** The i-th request (0-based); undefined when there is nothing left to send. */
  next(index: number): RequestSpec | undefined;
  /** Stop sending when this says so, given ms since the start; in-flight requests still finish. */
  stop(elapsed: number): boolean;
  /** Called after each answer, with how many have been answered so far. */
  onComplete?(completed: number): void;
  /** Once aborted, nothing more is sent. */
  signal?: AbortSignal;
}

const REQUEST_TIMEOUT_MS = 30_000;

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  // One agent per server, each allowed as many sockets as there are workers, so no request
  // ever waits in the agent's queue: the latency measured is the server's.
  const agents = options.ports.map(() => new http.Agent({ keepAlive: true, maxSockets: options.concurrency }));
  const completions: Completion[] = [];
  let firstError: string | undefined;
  let issued = 0;
  const started = performance.now();

  async function worker(): Promise<void> {
    for (;;) {
      if (options.signal?.aborted || options.stop(performance.now() - started)) return;
      const index = issued++;
      const spec = options.next(index);
      if (spec === undefined) return;
      const target = index % options.ports.length;
      const sent = performance.now();
      const answer = await send(options.ports[target] ?? 0, agents[target], spec);
      const end = performance.now();
      const ok = answer.status === spec.expect;
      if (!ok) firstError ??= `${spec.method} ${spec.path}: ${answer.status} ${answer.detail}`;
      completions.push({ end: end - started, latency: end - sent, ok });
      options.onComplete?.(completions.length);
    }
  }

  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    for (const agent of agents) agent.destroy();
  }
  return { completions, errors: completions.filter((c) => !c.ok).length, firstError };
}

/** The status, and the body only when it will be reported (status 0: no answer at all). */
function send(port: number, agent: http.Agent | undefined, spec: RequestSpec): Promise<{ status: number; detail: string }> {
  return new Promise((resolve) => {
    const headers = spec.body === undefined ? spec.headers : { ...spec.headers, 'Content-Length': String(Buffer.byteLength(spec.body)) };
    const request = http.request({ host: '127.0.0.1', port, method: spec.method, path: spec.path, headers, agent }, (response) => {
      const status = response.statusCode ?? 0;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => {
        if (status !== spec.expect) chunks.push(chunk);
      });
      response.on('end', () => resolve({ status, detail: Buffer.concat(chunks).toString('utf8').slice(0, 300) }));
      response.on('error', (error) => resolve({ status: 0, detail: error.message }));
    });
    request.setTimeout(REQUEST_TIMEOUT_MS, () => request.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    request.on('error', (error) => resolve({ status: 0, detail: error.message }));
    request.end(spec.body);
  });
}
