// Idempotency-Key: a retry of a request gets the first response again instead of running twice.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { findIdempotencyKey, saveIdempotencyKey, tryLockIdempotencyKey } from '../store/idempotency-keys.js';
import type { Database } from '../store/schema.js';
import { ProblemError } from './problems.js';

/** How long a stored response is replayed; an older record is ignored and then overwritten. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

type JsonObject = Record<string, unknown>;

export type Response<Body extends JsonObject> = { status: number; headers: Record<string, string>; body: Body };

/**
 * With a key, `bodyText` is the body's stored JSON text: sent as is, the first time and on every
 * replay, so a replay is the same bytes (a client may hash or sign them), not merely equal JSON.
 */
export type IdempotentResponse<Body extends JsonObject> = Response<Body> & { replayed: boolean; bodyText?: string };

export type IdempotencyScope = {
  organizationId: string;
  /** The `Idempotency-Key` header; absent means the operation simply runs. */
  key: string | undefined;
  operationId: string;
  /** What makes two requests "the same": the normalized body. */
  request: unknown;
};

/**
 * Runs `operation` at most once per organization and key within the window. Call it inside
 * the transaction that makes the operation's writes, so the stored response commits with them
 * or not at all. A failed operation (a thrown error) stores nothing: it changed nothing, so a
 * retry runs it again.
 */
export async function idempotent<Body extends JsonObject>(
  trx: Kysely<Database>,
  scope: IdempotencyScope,
  now: Date,
  operation: () => Promise<Response<Body>>,
): Promise<IdempotentResponse<Body>> {
  const { organizationId, key, operationId } = scope;
  if (key === undefined) return { ...(await operation()), replayed: false };

  // The lock, not the stored row, detects a first request still in flight: its row is not
  // committed yet, so it is invisible, but its lock is held until it commits or rolls back.
  if (!(await tryLockIdempotencyKey(trx, organizationId, key))) {
    throw new ProblemError(
      'idempotency_key_in_flight',
      'A request with this Idempotency-Key is still being processed; retry later.',
    );
  }
  const hash = requestHash(scope.request);
  const stored = await findIdempotencyKey(trx, organizationId, key, new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS));
  if (stored !== undefined) {
    if (stored.operation_id !== operationId || stored.request_hash !== hash) {
      throw new ProblemError('idempotency_key_reused', 'This Idempotency-Key was used with another request body.');
    }
    // Stored by this function from a Body a moment (at most the window) ago.
    return {
      status: stored.response_status,
      headers: JSON.parse(stored.response_headers) as Record<string, string>,
      body: JSON.parse(stored.response_body) as Body,
      bodyText: stored.response_body,
      replayed: true,
    };
  }

  const response = await operation();
  const bodyText = JSON.stringify(response.body);
  await saveIdempotencyKey(trx, {
    organization_id: organizationId,
    key,
    operation_id: operationId,
    request_hash: hash,
    response_status: response.status,
    response_headers: JSON.stringify(response.headers),
    response_body: bodyText,
    created_at: now,
  });
  return { ...response, bodyText, replayed: false };
}

/** sha256 of the canonical JSON (object keys sorted), so key order does not make two bodies differ. */
export function requestHash(request: unknown): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
