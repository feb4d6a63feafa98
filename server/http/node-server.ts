// The Node HTTP server in front of the app, with the limits that protect a process before any
// request reaches Hono: header size, the time to send headers and the whole request, keep-alive
// reuse and the number of open connections. Errors Node raises while parsing never reach the
// app; the one a client can fix (headers too large) is answered here as a problem, the others
// as Node would. Two things Node accepts are refused here too, because the app cannot see
// them: a repeated Host header (Node keeps the first) and dot segments in the path (the URL
// the app gets has them resolved, so `/docs/../metrics` would reach `/metrics`).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { getRequestListener } from '@hono/node-server';
import { ProblemError, type ErrorCode } from '../domain/problems.js';
import { toProblem } from './problem.js';
import { SECURITY_HEADERS } from './security-headers.js';

export interface HttpLimits {
  /** Largest request head (request line and headers), in bytes; over it: 431. */
  maxHeaderBytes: number;
  /** Time a client has to send the whole request head; over it: 408 and the socket closed. */
  headersTimeoutMs: number;
  /** Time a client has to send the whole request, body included; over it: 408. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive socket stays open. */
  keepAliveTimeoutMs: number;
  /** Requests one keep-alive socket may carry before it is closed (0: unlimited). */
  maxRequestsPerSocket: number;
  /** Open connections at once; those over it are closed on arrival (0: unlimited). */
  maxConnections: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxRequestsPerSocket: 1000,
  maxConnections: 1000,
};

// How long a socket that got an error answer may go on sending (read and dropped) before it
// is closed.
const LINGER_MS = 2_000;

type Fetch = (request: Request) => Response | Promise<Response>;

export function createNodeServer(fetch: Fetch, limits: HttpLimits): Server {
  const server = createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Node checks the two timeouts every 30 s by default, which would stretch them by as much.
      connectionsCheckingInterval: Math.min(1_000, Math.ceil(limits.headersTimeoutMs / 2)),
    },
    refusingBeforeApp(getRequestListener(fetch)),
  );
  server.maxRequestsPerSocket = limits.maxRequestsPerSocket;
  if (limits.maxConnections > 0) server.maxConnections = limits.maxConnections;
  const answers = clientErrorAnswers(limits);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => answerClientError(error, socket, answers));
  return server;
}

const answered = new WeakSet<Duplex>();

/** The head and body of the problem of `code`, answered before the app, on a connection then closed. */
function problemParts(
  code: ErrorCode,
  detail: string,
): { status: number; title: string; headers: Record<string, string>; body: string } {
  const problem = toProblem(new ProblemError(code, detail));
  const body = JSON.stringify(problem);
  const headers = {
    'Content-Type': 'application/problem+json',
    'Content-Length': String(Buffer.byteLength(body)),
    ...SECURITY_HEADERS,
    Connection: 'close',
  };
  return { status: problem.status, title: problem.title, headers, body };
}

/** A whole HTTP answer carrying the problem of `code`, written to the socket as is. */
function problemAnswer(code: ErrorCode, detail: string): string {
  const { status, title, headers, body } = problemParts(code, detail);
  return [`HTTP/1.1 ${status} ${title}`, ...Object.entries(headers).map(([n, v]) => `${n}: ${v}`), '', body].join(
    '\r\n',
  );
}

// A `.` or `..` segment, plain or percent-encoded, between `/` or `\` (URL parsers treat both
// as separators in http URLs).
const DOT_SEGMENT = /(?:^|[/\\])(?:\.|%2e){1,2}(?:[/\\?#]|$)/i;

/** The problem a request gets before the app sees it; undefined for the requests the app answers. */
function refusal(request: IncomingMessage): ReturnType<typeof problemParts> | undefined {
  let hosts = 0;
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    if (request.rawHeaders[i]?.toLowerCase() === 'host') hosts += 1;
  }
  // RFC 9112 section 3.2: a request with more than one Host header is answered 400.
  if (hosts > 1) return problemParts('malformed_request', 'The request has more than one Host header.');
  const target = request.url ?? '';
  const path = target.slice(0, target.search(/[?#]|$/));
  if (DOT_SEGMENT.test(path)) return problemParts('route_not_found', 'No operation at a path with dot segments.');
  return undefined;
}

type Listener = (request: IncomingMessage, response: ServerResponse) => void;

function refusingBeforeApp(app: Listener): Listener {
  return (request, response) => {
    const refused = refusal(request);
    if (refused === undefined) return app(request, response);
    // The body, if any, is not read: the connection closes after the answer.
    response.shouldKeepAlive = false;
    response.writeHead(refused.status, refused.headers).end(refused.body);
  };
}

/**
 * The answer to each error Node reports: a problem of the contract where a client can fix it,
 * Node's own bare answer for a timeout; any other parse error is a malformed request.
 */
function clientErrorAnswers(limits: HttpLimits): Record<string, string> {
  return {
    HPE_HEADER_OVERFLOW: problemAnswer(
      'request_header_fields_too_large',
      `The request headers are over ${limits.maxHeaderBytes} bytes.`,
    ),
    HPE_CHUNK_EXTENSIONS_OVERFLOW: problemAnswer('payload_too_large', 'The chunk extensions are too long.'),
    ERR_HTTP_REQUEST_TIMEOUT: 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n',
  };
}
const MALFORMED_REQUEST = problemAnswer('malformed_request', 'The request is not well-formed HTTP.');

/**
 * Replaces Node's default `clientError` handler, which writes a bare answer and destroys the
 * socket at once: with unread data left (the rest of a 64 KiB header) the kernel then sends a
 * reset, which can destroy the answer before the client reads it.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex, answers: Record<string, string>): void {
  // The parser goes on reading what was sent after the error and reports it again: answered once.
  if (answered.has(socket)) return;
  answered.add(socket);
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(answers[error.code ?? ''] ?? MALFORMED_REQUEST);
  // Whatever else arrives is still read (by Node's parser) and dropped until the client closes
  // its side, or the linger runs out.
  const linger = setTimeout(() => socket.destroy(), LINGER_MS);
  linger.unref();
  socket.once('end', () => socket.destroy());
  socket.once('close', () => clearTimeout(linger));
}
