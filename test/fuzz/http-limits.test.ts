// What reaches the server process before the app does: requests Node's HTTP parser refuses
// (headers past its size limit, a NUL in a header, a Content-Length that is no number) must
// still get an answer of the contract, a documented status with a problem body, not Node's
// bare one. Sent byte for byte over a socket to `npm start`'s server.
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationId } from '../../server/contract/document.js';
import { validateResponse } from '../support/contract.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-database.js';
import { killRunningServers, startServer, type RunningServer } from '../process/server-process.js';

const databaseUrl = process.env.TEST_DATABASE_URL;
const ID = '3c90c3cc-0d44-4b50-8888-8dd25736052a';

interface RawAnswer {
  status: number;
  response: Response;
  raw: string;
}

/** Sends `request` as is and reads the answer to the end (every request asks to close). */
async function exchange(url: string, request: string): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  const bytes = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname, () => socket.end(Buffer.from(request, 'latin1')));
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
  const raw = bytes.toString('latin1');
  const split = raw.indexOf('\r\n\r\n');
  const [statusLine = '', ...headerLines] = (split < 0 ? raw : raw.slice(0, split)).split('\r\n');
  const status = Number(statusLine.split(' ')[1]);
  const headers = new Headers();
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  let body = split < 0 ? '' : bytes.subarray(split + 4).toString('utf8');
  if (headers.get('transfer-encoding')?.includes('chunked')) {
    let decoded = '';
    for (let rest = body; ; ) {
      const size = parseInt(rest, 16);
      if (!(size > 0)) break;
      const start = rest.indexOf('\r\n') + 2;
      decoded += rest.slice(start, start + size);
      rest = rest.slice(start + size + 2);
    }
    body = decoded;
  }
  headers.delete('transfer-encoding');
  const response = new Response(body === '' ? null : body, {
    status: status >= 200 && status <= 599 ? status : 599,
    headers,
  });
  return { status, response, raw };
}

describe('requests refused before the app', () => {
  let scratch: ScratchDatabase | undefined;
  let dataDir: string | undefined;
  let server: RunningServer;

  beforeAll(async () => {
    // PostgreSQL when there is one: the embedded database's first start costs seconds here.
    if (databaseUrl) scratch = await createScratchDatabase(databaseUrl, 'connections_http_limits');
    else dataDir = await mkdtemp(path.join(tmpdir(), 'connections-http-limits-'));
    server = await startServer(
      scratch
        ? { DATABASE_URL: scratch.url, JWT_SECRET: 'http-limits-test-secret-0123456789abcdef' }
        : { DATA_DIR: dataDir ?? '' },
    );
  }, 90_000);

  afterAll(async () => {
    await killRunningServers();
    await scratch?.drop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  const body = JSON.stringify({ host_organization_id: ID });
  const cases: [string, OperationId, string][] = [
    [
      'a well-formed request (the harness itself)',
      'getHealth',
      'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    ],
    [
      'a 20 KiB header',
      'getOrganization',
      `GET /v1/organizations/${ID} HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(20 * 1024)}\r\nConnection: close\r\n\r\n`,
    ],
    [
      'a 20 KiB query',
      'listGuestInvitations',
      `GET /v1/guest-invitations?search_text=${'a'.repeat(20 * 1024)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    ],
    [
      'a 20 KiB header on a POST',
      'createHostConnection',
      `POST /v1/host-connections HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nX-Padding: ${'a'.repeat(20 * 1024)}\r\nConnection: close\r\n\r\n${body}`,
    ],
    [
      'a NUL in a header value',
      'createHostConnection',
      `POST /v1/host-connections HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nIdempotency-Key: a\u0000b\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    ],
    [
      'a Content-Length that is no number',
      'createHostConnection',
      `POST /v1/host-connections HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\nConnection: close\r\n\r\n${body}`,
    ],
  ];

  it.each(cases)('answers %s within the contract of %s', async (_, operationId, request) => {
    const answer = await exchange(server.url, request);
    const checked = await validateResponse(operationId, answer.response);
    console.log(`raw HTTP: ${_} → ${answer.status} ${checked.mediaType || '(no body)'}`);
    expect(checked.problems, answer.raw.slice(0, 300)).toEqual([]);
    expect(answer.status).toBeLessThan(500);
  });
});
