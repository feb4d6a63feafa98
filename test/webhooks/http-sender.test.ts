// One attempt against a hostile receiver costs no more than its timeout: no redirect is
// followed, at most 64 KiB of an answer is read, a receiver that never ends is cut off.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockListOf } from '../../server/domain/webhook-addresses.js';
import { httpSender } from '../../server/webhooks/http-sender.js';

describe('the webhook HTTP sender', () => {
  let server: Server;
  let url: string;
  let bytesSent = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      if (request.url === '/redirect') return response.writeHead(302, { Location: '/ok' }).end();
      if (request.url === '/huge') {
        response.writeHead(200);
        // Ten MiB, written as fast as the socket takes it.
        const chunk = Buffer.alloc(64 * 1024, 'x');
        let left = 160;
        const write = () => {
          while (left > 0) {
            left--;
            bytesSent += chunk.length;
            if (!response.write(chunk)) return response.once('drain', write);
          }
          response.end();
        };
        return write();
      }
      if (request.url === '/endless') {
        response.writeHead(200);
        response.write('a');
        return; // never ends
      }
      response.writeHead(503, { 'Retry-After': '7' }).end('busy');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const sender = httpSender(blockListOf(['127.0.0.0/8']), 300);
  const post = (path: string) => sender({ url: `${url}${path}`, headers: { 'webhook-id': 'x' }, body: '{}' });

  it('answers the status and Retry-After', async () => {
    expect(await post('/busy')).toEqual({ status: 503, body: 'busy', retryAfter: '7' });
  });

  it('follows no redirect', async () => {
    expect((await post('/redirect')).status).toBe(302);
  });

  it('reads at most 64 KiB of a huge answer', async () => {
    const answer = await post('/huge');
    expect(answer.status).toBe(200);
    expect(answer.body.length).toBeGreaterThanOrEqual(64 * 1024);
    expect(answer.body.length).toBeLessThan(256 * 1024);
    expect(bytesSent).toBeLessThan(10 * 1024 * 1024);
  });

  it('cuts off an answer that never ends at the timeout, keeping its status', async () => {
    const started = Date.now();
    expect((await post('/endless')).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('gives up on a receiver that never answers at the timeout', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    const attempt = sender({ url: `http://127.0.0.1:${port}/`, headers: {}, body: '{}' });
    await expect(attempt).rejects.toThrow('no answer within 0.3 s');
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
  });
});
