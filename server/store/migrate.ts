import { Migrator, sql, type Kysely, type Migration } from 'kysely';
import { initial } from './migrations/0001_initial.js';
import { exactIdempotentResponses } from './migrations/0002_exact_idempotent_responses.js';
import { clientRevocations } from './migrations/0006_client_revocations.js';
import { connectionListIndexes } from './migrations/0007_connection_list_indexes.js';
import { connectionCounts } from './migrations/0008_connection_counts.js';
import { webhooks } from './migrations/0009_webhooks.js';
import type { Database } from './schema.js';

// Listed in code, not read from a folder, so the bundle and tsx see the same migrations.
// Kysely applies them in order of these names. The numbers jump from 0002 to 0006 and stay so:
// a database records the names it applied, and Kysely refuses one whose applied names are not
// those of this list, so renaming an applied migration would stop every existing database.
const migrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_exact_idempotent_responses': exactIdempotentResponses,
  '0006_client_revocations': clientRevocations,
  '0007_connection_list_indexes': connectionListIndexes,
  '0008_connection_counts': connectionCounts,
  '0009_webhooks': webhooks,
};

/** Every migration, in the order they apply. */
export const migrationNames: string[] = Object.keys(migrations).sort();

/**
 * Applies every pending migration and returns the names it applied (none when up to date).
 * Safe when several processes start at once on PostgreSQL: Kysely's migrator holds a
 * session advisory lock (pg_advisory_lock) and reads the applied list inside it, so a
 * second process waits, then finds nothing left to do.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  if (await isUpToDate(db)) return [];
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName;
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`migration ${failed ?? '(setup)'} failed: ${reason}`, { cause: error });
  }
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
}

/**
 * One read instead of the migrator's dozen statements (its tables, its lock, its list), for
 * the usual start on a database that is already up to date. Any doubt (no table yet, an
 * error) leaves the answer to the migrator.
 */
async function isUpToDate(db: Kysely<Database>): Promise<boolean> {
  const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db).then(
    (result) => result.rows.map((row) => row.name),
    () => [],
  );
  return applied.length === migrationNames.length && applied.every((name, i) => name === migrationNames[i]);
}
