// One JSON line per request, and the request id that ties a client's report to that line.
// Lines carry no header, token, secret or body: only what is listed here.
import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { OperationId } from '../contract/document.js';

export type LogLine = Record<string, unknown>;
export type Logger = (line: LogLine) => void;

export interface AppEnv {
  Variables: {
    requestId: string;
    /** The contract's path template of the matched operation, e.g. `/v1/host-connections/{host_org_id}`; null when none matched. */
    route: string | null;
    /** The operation that answered; null when none did (404, 405). */
    operationId: OperationId | null;
  };
}

// Stdout to a file or a pipe is a blocking write on Linux: one per line cost a write call per
// request. Lines of one turn of the event loop go out together, in one write, at its end, and
// whatever is left when the process exits is written then.
let pending = '';
function flush(): void {
  const text = pending;
  pending = '';
  if (text !== '') process.stdout.write(text);
}
process.once('exit', flush);

export const stdoutLogger: Logger = (line) => {
  if (pending === '') setImmediate(flush);
  pending += `${JSON.stringify(line)}\n`;
};

/**
 * The status of a request whose client went away before it was whole (nginx's 499): never sent,
 * only logged (at info, as `client_closed`) and counted, so it is told apart from our failures.
 */
export const CLIENT_CLOSED_STATUS = 499;

/** Echoed (or made) on every response, and logged: ties a client's report to a log line. */
export const REQUEST_ID_HEADER = 'X-Request-Id';
const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** The client's `X-Request-Id` when it is safe to echo and log; a new uuid otherwise. */
function requestIdFrom(header: string | undefined): string {
  return header !== undefined && REQUEST_ID.test(header) ? header : randomUUID();
}

export function requestLogging(log: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const requestId = requestIdFrom(c.req.header(REQUEST_ID_HEADER));
    c.set('requestId', requestId);
    c.set('route', null);
    c.set('operationId', null);
    await next();
    c.res.headers.set(REQUEST_ID_HEADER, requestId);
    const status = c.res.status;
    log({
      time: new Date().toISOString(),
      level: status >= 500 ? 'error' : 'info',
      ...(status === CLIENT_CLOSED_STATUS ? { message: 'client_closed' } : {}),
      request_id: requestId,
      method: c.req.method,
      route: c.get('route'),
      status,
      duration_ms: Math.round((performance.now() - started) * 100) / 100,
    });
  };
}

/** A failure the client only sees as a 500: the details go to the log, keyed by request id. */
export function errorLine(requestId: string, error: unknown): LogLine {
  return {
    time: new Date().toISOString(),
    level: 'error',
    request_id: requestId,
    error: error instanceof Error ? error.message : String(error),
    stack: error instanceof Error ? error.stack : undefined,
  };
}
