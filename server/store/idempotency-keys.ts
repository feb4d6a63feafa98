import { sql, type Kysely } from 'kysely';
import type { Database, IdempotencyKey } from './schema.js';

/**
 * Takes the key's transaction-scoped advisory lock without waiting; false when another
 * transaction (in any process sharing the database) holds it. Released at commit or rollback.
 * The lock space is shared by every key of every organization: a 64-bit hash collision only
 * costs a spurious "in flight" answer, never a wrong replay (the row is matched exactly).
 */
export async function tryLockIdempotencyKey(trx: Kysely<Database>, organizationId: string, key: string): Promise<boolean> {
  const { rows } = await sql<{ locked: boolean }>`
    select pg_try_advisory_xact_lock(hashtextextended(${`${organizationId}:${key}`}::text, 0)) as locked
  `.execute(trx);
  return rows[0]?.locked === true;
}

/** The key's record if it was stored after `since`. */
export async function findIdempotencyKey(
  trx: Kysely<Database>,
  organizationId: string,
  key: string,
  since: Date,
): Promise<IdempotencyKey | undefined> {
  return trx
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('key', '=', key)
    .where('created_at', '>', since)
    .executeTakeFirst();
}

/** Stores the key's result, replacing an expired record of the same key. */
export async function saveIdempotencyKey(
  trx: Kysely<Database>,
  values: IdempotencyKey,
): Promise<void> {
  await trx
    .insertInto('idempotency_keys')
    .values(values)
    .onConflict((conflict) =>
      conflict.columns(['organization_id', 'key']).doUpdateSet({
        operation_id: values.operation_id,
        request_hash: values.request_hash,
        result: values.result,
        created_at: values.created_at,
      }),
    )
    .execute();
}
