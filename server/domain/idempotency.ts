// Idempotency-Key: a retry of a request gets the first response again instead of running twice.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { findIdempotencyKey, saveIdempotencyKey, tryLockIdempotencyKey } from '../store/idempotency-keys.js';
import type { Database } from '../store/schema.js';
import { ProblemError } from './problems.js';

/** How long a stored response is replayed; an older record is ignored and then overwritten. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** What an idempotent operation hands back: its result, that result's JSON text, and whether it is a replay. */
export type Idempotent<Result> = {
  result: Result;
  /**
   * The result's JSON text, made once and stored with the key: sent as is the first time and on
   * every replay, so a replay is the same bytes (a client may hash or sign them), not merely
   * equal JSON.
   */
  json: string;
  replayed: boolean;
};

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
 * the transaction that makes the operation's writes, so the stored result commits with them
 * or not at all. A failed operation (a thrown error) stores nothing: it changed nothing, so a
 * retry runs it again.
 */
export async function idempotent<Result>(
  trx: Kysely<Database>,
  scope: IdempotencyScope,
  now: Date,
  operation: () => Promise<Result>,
): Promise<Idempotent<Result>> {
  const { organizationId, key, operationId } = scope;
  if (key === undefined) {
    const result = await operation();
    return { result, json: JSON.stringify(result), replayed: false };
  }

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
    // Stored by this function from a Result a moment (at most the window) ago.
    return { result: JSON.parse(stored.result) as Result, json: stored.result, replayed: true };
  }

  const result = await operation();
  const json = JSON.stringify(result);
  await saveIdempotencyKey(trx, {
    organization_id: organizationId,
    key,
    operation_id: operationId,
    request_hash: hash,
    result: json,
    created_at: now,
  });
  return { result, json, replayed: false };
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
