import type { components } from '../../generated/openapi.js';
import { ProblemError, type ErrorCode } from '../domain/problems.js';
import { isDatabaseUnavailable } from '../store/errors.js';
import type { DeclaredHeaders } from './operation-types.js';

/** How long a client is asked to wait after a 503, in seconds. */
const RETRY_AFTER_SECONDS = 2;

/**
 * What the HTTP layer answers, before it becomes a `Response`: one shape for successes and
 * problems. No media type means no body (a 204); a JSON media type's body is serialized, any
 * other is sent as the string it is.
 */
export interface Outcome {
  status: number;
  mediaType?: string;
  body?: unknown;
  headers: Record<string, string>;
  /** `body`'s JSON text when it must be sent exactly as stored (an idempotent replay). */
  bodyText?: string;
}

/** A problem that also needs response headers (`WWW-Authenticate`, `Allow`). Only the HTTP layer raises these. */
export class HttpProblem extends ProblemError {
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, detail: string, headers: Record<string, string> = {}) {
    super(code, detail);
    this.headers = headers;
  }
}

export function problemOutcome(error: ProblemError): Outcome {
  return {
    status: error.status,
    mediaType: 'application/problem+json',
    body: error.toProblem(),
    headers: error instanceof HttpProblem ? error.headers : {},
  };
}

/** 503 with the headers of the contract's ServiceUnavailable response. */
export function serviceUnavailable(detail: string): HttpProblem {
  const headers = { 'Retry-After': String(RETRY_AFTER_SECONDS) } satisfies DeclaredHeaders<
    components['responses']['ServiceUnavailable']
  >;
  return new HttpProblem('service_unavailable', detail, headers);
}

/**
 * Any error: a `ProblemError` becomes its problem; a database that is gone or too slow a 503
 * with `Retry-After`; anything else is a bug, reported to `report` (the log) and answered with
 * a bare 500 so no stack, SQL or input leaks out. Inputs are validated against the contract
 * before any query runs, so a PostgreSQL error (e.g. 22P02 for a malformed uuid) cannot be
 * caused by a client and stays a 500 on purpose.
 */
export function errorOutcome(error: unknown, report: (error: unknown) => void): Outcome {
  if (error instanceof ProblemError) return problemOutcome(error);
  report(error);
  if (isDatabaseUnavailable(error)) {
    return problemOutcome(serviceUnavailable('The database is unavailable; retry later.'));
  }
  return problemOutcome(new ProblemError('internal_error', 'The server could not complete the request.'));
}

const isJsonMediaType = (mediaType: string): boolean => mediaType === 'application/json' || mediaType.endsWith('+json');

export function toResponse(outcome: Outcome): Response {
  const headers = new Headers(outcome.headers);
  if (outcome.mediaType === undefined) return new Response(null, { status: outcome.status, headers });
  // Text is sent as UTF-8, and says so: without a charset, a client may guess another.
  headers.set(
    'Content-Type',
    outcome.mediaType.startsWith('text/') ? `${outcome.mediaType}; charset=utf-8` : outcome.mediaType,
  );
  const body = isJsonMediaType(outcome.mediaType)
    ? (outcome.bodyText ?? JSON.stringify(outcome.body))
    : String(outcome.body);
  return new Response(body, { status: outcome.status, headers });
}
