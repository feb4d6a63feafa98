import type { components } from '../../generated/openapi.js';
import type { ValidationError } from '../contract/validation.js';

export type ErrorCode = components['schemas']['ErrorCode'];
export type Problem = components['schemas']['Problem'];

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
};

/** A rule of the domain was broken; the HTTP layer turns it into problem details. */
export class ProblemError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors: ValidationError[];

  constructor(code: ErrorCode, detail: string, errors: ValidationError[] = []) {
    super(detail);
    this.name = 'ProblemError';
    this.code = code;
    this.status = problemCatalog[code].status;
    this.errors = errors;
  }

  toProblem(): Problem {
    return problemOf(this.code, this.message, this.errors);
  }
}

/** The problem details of a code, for callers that answer without throwing (no Error, no stack). */
export function problemOf(code: ErrorCode, detail: string, errors: ValidationError[] = []): Problem {
  const { status, title } = problemCatalog[code];
  return { type: `https://connections.example.com/problems/${code}`, title, status, detail, code, errors };
}
