// A webhook receiver on loopback for tests: records what it gets, answers what the test says.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { blockListOf } from '../../server/domain/webhook-addresses.js';
import type { WebhookPolicy } from '../../server/domain/webhook-urls.js';

export type Received = { path: string; headers: IncomingHttpHeaders; body: string; at: number };

export interface Receiver {
  /** The receiver's base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  received: Received[];
  /** Resolves once `count` requests to `path` arrived; rejects after `timeoutMs`. */
  waitFor(path: string, count: number, timeoutMs?: number): Promise<Received[]>;
  /** What to answer next (default 200); a handler may also never answer. */
  answer: (received: Received) => { status: number; headers?: Record<string, string> } | 'hang';
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = {
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString(),
        at: Date.now(),
      };
      received.push(entry);
      for (const waiter of waiters) waiter();
      const answer = receiver.answer(entry);
      if (answer === 'hang') return;
      response.writeHead(answer.status, answer.headers).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}`,
    received,
    answer: () => ({ status: 200 }),
    waitFor(path, count, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const matching = received.filter((entry) => entry.path === path);
          if (matching.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(matching);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `${path} received ${received.filter((e) => e.path === path).length} of ${count} in ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return receiver;
}

/** Loopback allowed (and plain http to it); every name resolves to 127.0.0.1. */
export const loopbackPolicy: WebhookPolicy = {
  allowedNetworks: blockListOf(['127.0.0.0/8']),
  resolve: async () => ['127.0.0.1'],
};
