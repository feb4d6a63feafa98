// The server process applies its HTTP limits from the environment: oversized headers get a 431
// problem (not Node's empty one, not a reset), a client that never finishes its headers is cut
// off, and a keep-alive socket serves a bounded number of requests.
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemas } from '../../generated/operations.js';
import { killRunningServers, startServer, type RunningServer } from './server-process.js';

let dataDir: string | undefined;
let server: RunningServer;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'connections-limits-'));
  server = await startServer({
    DATA_DIR: dataDir,
    HTTP_HEADERS_TIMEOUT_MS: '1000',
    HTTP_REQUEST_TIMEOUT_MS: '2000',
    HTTP_MAX_REQUESTS_PER_SOCKET: '2',
  });
});

afterAll(async () => {
  await killRunningServers();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

/** Writes `request` on a raw socket and resolves with everything read until the server closes. */
function exchange(request: string): Promise<{ text: string; error?: string; ms: number }> {
  const { port, hostname } = new URL(server.url);
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ text, error: error.code ?? error.message, ms: Date.now() - started }),
    );
    socket.on('close', () => resolve({ text, ms: Date.now() - started }));
    socket.write(request);
  });
}

const errorCodes: readonly string[] = schemas.ErrorCode.enum;

describe('HTTP limits of the server process', () => {
  it('answers headers over the limit with a 431 problem+json the contract names', async () => {
    const response = await fetch(`${server.url}/healthz`, { headers: { 'X-Padding': 'a'.repeat(20_000) } });
    expect(response.status).toBe(431);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await response.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({ status: 431, code: 'request_header_fields_too_large', errors: [] });
    expect(errorCodes).toContain(problem.code);
  });

  it('sends the whole 431 for a 64 KiB header instead of resetting the connection', async () => {
    for (let i = 0; i < 5; i++) {
      const { text, error } = await exchange(
        `GET /healthz HTTP/1.1\r\nHost: test\r\nX-Padding: ${'a'.repeat(65_536)}\r\n\r\n`,
      );
      expect(error, text).toBeUndefined();
      expect(text).toMatch(/^HTTP\/1\.1 431 /);
      expect(text).toContain('"code":"request_header_fields_too_large"');
    }
  });

  it('cuts off a client that never finishes its headers (HTTP_HEADERS_TIMEOUT_MS)', async () => {
    const { text, ms } = await exchange('GET /healthz HTTP/1.1\r\nHost: test\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(5000);
  });

  it('closes a keep-alive socket after HTTP_MAX_REQUESTS_PER_SOCKET requests', async () => {
    const { port, hostname } = new URL(server.url);
    const socket = connect(Number(port), hostname);
    const get = 'GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n';
    let received = '';
    // One request at a time, the next once the last answer is complete.
    const two = new Promise<string[]>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1');
        if (!received.endsWith('{"status":"ok"}')) return;
        const answers = received.split(/(?=HTTP\/1\.1 \d{3} )/);
        if (answers.length === 2) resolve(answers);
        else socket.write(get);
      });
    });
    socket.write(get);
    const [first, second] = await two;
    socket.destroy();
    expect(first).toMatch(/^keep-alive: timeout=\d+, max=2\r$/im);
    expect(second).toMatch(/^connection: close\r$/im);
  });
});
