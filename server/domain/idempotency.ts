// Idempotency-Key: a retry of a request gets the first response again instead of running twice.
// An operation that takes a key runs, inside the transaction that makes its writes:
//   1. `lockIdempotencyKey`: the key's lock, or 409 when a request with it is still in flight;
//   2. a read of the key's record stored within the window (`keyWindowStart`), and when there
//      is one, `replay`: the first result again, or 422 when it was made for another request;
//   3. the operation, and the record of its result (`json`) written with its other writes, so
//      that it commits with them or not at all. A failed operation stores nothing: it changed
//      nothing, so a retry runs it again.
// POST /host-connections (host-connections.ts) does 2 and 3 in statements it shares with its own reads and writes.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { tryLockIdempotencyKey } from '../store/idempotency-keys.js';
import type { Database } from '../store/schema.js';
import { ProblemError } from './problems.js';

/** How long a stored response is replayed; an older record is ignored and then overwritten. */
const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

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

/** A record of a key as stored: the request it was made for and that request's result. */
export type StoredKey = { operation_id: string; request_hash: string; result: string };

/**
 * Takes the key's lock for the rest of the transaction, or 409. The lock, not the stored row,
 * detects a first request still in flight: its row is not committed yet, so it is invisible,
 * but its lock is held until it commits or rolls back. Read the stored record after this, in a
 * later statement, so that it sees what a request that held the lock before committed.
 */
export async function lockIdempotencyKey(trx: Kysely<Database>, organizationId: string, key: string): Promise<void> {
  if (!(await tryLockIdempotencyKey(trx, organizationId, key))) {
    throw new ProblemError(
      'idempotency_key_in_flight',
      'A request with this Idempotency-Key is still being processed; retry later.',
    );
  }
}

/** Records older than this are not replayed. */
export function keyWindowStart(now: Date): Date {
  return new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS);
}

/** The first result again for the same request, or 422 for another request under the same key. */
export function replay<Result>(stored: StoredKey, scope: IdempotencyScope, hash: string): Idempotent<Result> {
  if (stored.operation_id !== scope.operationId || stored.request_hash !== hash) {
    throw new ProblemError('idempotency_key_reused', 'This Idempotency-Key was used with another request body.');
  }
  // Stored from a Result of this operation a moment (at most the window) ago.
  return { result: JSON.parse(stored.result) as Result, json: stored.result, replayed: true };
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
