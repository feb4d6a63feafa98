import type { Kysely } from 'kysely';
import { prepared } from './prepared.js';
import type { Database } from './schema.js';

// The key's records are read and written by the statements of the operations that take one
// (server/store/host-connection-create.ts), together with their own reads and writes.

const tryLock = prepared<{ locked: boolean }, [lockKey: string]>(
  'try_lock_idempotency_key',
  'select pg_try_advisory_xact_lock(hashtextextended($1::text, 0)) as locked',
);

/**
 * Takes the key's transaction-scoped advisory lock without waiting; false when another
 * transaction (in any process sharing the database) holds it. Released at commit or rollback.
 * The lock space is shared by every key of every organization: a 64-bit hash collision only
 * costs a spurious "in flight" answer, never a wrong replay (the row is matched exactly).
 */
export async function tryLockIdempotencyKey(
  trx: Kysely<Database>,
  organizationId: string,
  key: string,
): Promise<boolean> {
  return (await tryLock.first(trx, `${organizationId}:${key}`))?.locked === true;
}
