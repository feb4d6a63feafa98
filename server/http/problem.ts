import type { components } from '../../generated/openapi.js';
import { ProblemError, type ErrorCode } from '../domain/problems.js';
import { isDatabaseUnavailable } from '../store/errors.js';
import type { DeclaredHeaders } from './operation-types.js';

export type Problem = components['schemas']['Problem'];

/** How long a client is asked to wait after a 503, in seconds. */
const RETRY_AFTER_SECONDS = 2;

/** Status and title of every error code of the contract; `Record` makes the list complete. */
export const problemCatalog: Record<ErrorCode, { status: number; title: string }> = {
  malformed_json: { status: 400, title: 'Malformed JSON' },
  malformed_request: { status: 400, title: 'Malformed request' },
  invalid_request: { status: 400, title: 'Invalid request' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  validation_failed: { status: 422, title: 'Validation failed' },
  invalid_client: { status: 401, title: 'Invalid client' },
  invalid_token: { status: 401, title: 'Invalid token' },
  requester_mismatch: { status: 403, title: 'Requester mismatch' },
  not_connected: { status: 403, title: 'Not connected' },
  scenario_not_allowed: { status: 403, title: 'Scenario not allowed' },
  route_not_found: { status: 404, title: 'Route not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  organization_not_found: { status: 404, title: 'Organization not found' },
  invitation_not_found: { status: 404, title: 'Invitation not found' },
  host_connection_not_found: { status: 404, title: 'Host connection not found' },
  guest_connection_not_found: { status: 404, title: 'Guest connection not found' },
  action_not_found: { status: 404, title: 'Action not found' },
  self_connection: { status: 422, title: 'Cannot connect to itself' },
  connection_already_exists: { status: 409, title: 'Connection already exists' },
  invitation_already_accepted: { status: 409, title: 'Invitation already accepted' },
  invitation_expired: { status: 410, title: 'Invitation expired' },
  no_matching_invitation: { status: 422, title: 'No matching invitation' },
  invitation_token_required: { status: 422, title: 'Invitation token required' },
  idempotency_key_reused: { status: 422, title: 'Idempotency-Key reused' },
  idempotency_key_in_flight: { status: 409, title: 'Request in flight' },
  connection_not_connected: { status: 409, title: 'Connection not connected' },
  action_already_active: { status: 409, title: 'Action already active' },
  action_already_resolved: { status: 409, title: 'Action already resolved' },
  request_header_fields_too_large: { status: 431, title: 'Request header fields too large' },
  rate_limited: { status: 429, title: 'Too many requests' },
  service_unavailable: { status: 503, title: 'Service unavailable' },
  internal_error: { status: 500, title: 'Internal error' },
  webhook_endpoint_not_found: { status: 404, title: 'Webhook endpoint not found' },
  webhook_delivery_not_found: { status: 404, title: 'Webhook delivery not found' },
  webhook_endpoint_limit_reached: { status: 422, title: 'Webhook endpoint limit reached' },
  webhook_endpoint_disabled: { status: 409, title: 'Webhook endpoint disabled' },
};

/**
 * What the HTTP layer answers, before it becomes a `Response`: one shape for successes and
 * problems. No media type means no body (a 204); a JSON media type's body is serialized, any
 * other is sent as the string it is.
 */
export interface Reply {
  status: number;
  mediaType?: string;
  body?: unknown;
  headers: Record<string, string>;
  /** `body`'s JSON text when it must be sent exactly as stored (an idempotent replay). */
  bodyText?: string;
}

/** The problem details of a problem: its code's status, title and type, and its detail and errors. */
export function toProblem(error: ProblemError): Problem {
  const { status, title } = problemCatalog[error.code];
  return {
    type: `https://connections.example.com/problems/${error.code}`,
    title,
    status,
    detail: error.message,
    code: error.code,
    errors: error.errors,
  };
}

export function problemReply(error: ProblemError): Reply {
  return {
    status: problemCatalog[error.code].status,
    mediaType: 'application/problem+json',
    body: toProblem(error),
    headers: error.headers,
  };
}

/** 503 with the headers of the contract's ServiceUnavailable response. */
export function serviceUnavailable(detail: string): ProblemError {
  const headers = { 'Retry-After': String(RETRY_AFTER_SECONDS) } satisfies DeclaredHeaders<
    components['responses']['ServiceUnavailable']
  >;
  return new ProblemError('service_unavailable', detail, { headers });
}

/**
 * Any error: a `ProblemError` becomes its problem; a database that is gone or too slow a 503
 * with `Retry-After`; anything else is a bug, reported to `report` (the log) and answered with
 * a bare 500 so no stack, SQL or input leaks out. Inputs are validated against the contract
 * before any query runs, so a PostgreSQL error (e.g. 22P02 for a malformed uuid) cannot be
 * caused by a client and stays a 500 on purpose.
 */
export function errorReply(error: unknown, report: (error: unknown) => void): Reply {
  if (error instanceof ProblemError) return problemReply(error);
  report(error);
  if (isDatabaseUnavailable(error)) {
    return problemReply(serviceUnavailable('The database is unavailable; retry later.'));
  }
  return problemReply(new ProblemError('internal_error', 'The server could not complete the request.'));
}

const isJsonMediaType = (mediaType: string): boolean => mediaType === 'application/json' || mediaType.endsWith('+json');

export function toResponse(reply: Reply): Response {
  const headers = new Headers(reply.headers);
  if (reply.mediaType === undefined) return new Response(null, { status: reply.status, headers });
  // Text is sent as UTF-8, and says so: without a charset, a client may guess another.
  headers.set(
    'Content-Type',
    reply.mediaType.startsWith('text/') ? `${reply.mediaType}; charset=utf-8` : reply.mediaType,
  );
  const body = isJsonMediaType(reply.mediaType) ? (reply.bodyText ?? JSON.stringify(reply.body)) : String(reply.body);
  return new Response(body, { status: reply.status, headers });
}
