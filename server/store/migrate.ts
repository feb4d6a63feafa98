import { readdirSync } from 'node:fs';
import { Migrator, sql, type Kysely, type Migration } from 'kysely';
import type { Database } from './schema.js';

// Every file of ./migrations is a migration, applied in the order of the file names; a database
// records each under its file name without the extension. Read from the folder beside this
// module, so tsx finds the .ts sources and the built package the .js files tsc made of them (the
// pattern leaves out its .d.ts files). The numbers jump from 0002 to 0006 and stay so: Kysely
// refuses a database that applied a name it no longer finds, so a rename would stop every one.
const folder = new URL('./migrations/', import.meta.url);
const migrationFile = /^(\d{4}_[^.]+)\.(?:ts|js)$/;

const migrationFiles = (): string[] =>
  readdirSync(folder)
    .filter((file) => migrationFile.test(file))
    .sort();
const nameOf = (file: string): string => file.replace(migrationFile, '$1');

/** Every migration, in the order they apply. */
export const migrationNames: string[] = migrationFiles().map(nameOf);

const isMigration = (value: unknown): value is Migration =>
  typeof value === 'object' && value !== null && typeof (value as Partial<Migration>).up === 'function';

/** Each file's one exported migration (under any name), by migration name. */
async function loadMigrations(): Promise<Record<string, Migration>> {
  const loaded = await Promise.all(
    migrationFiles().map(async (file) => {
      const module = (await import(new URL(file, folder).href)) as Record<string, unknown>;
      const [migration, ...more] = Object.values(module).filter(isMigration);
      if (migration === undefined || more.length > 0)
        throw new Error(`migration ${file} must export exactly one migration (an object with up())`);
      return [nameOf(file), migration] as const;
    }),
  );
  return Object.fromEntries(loaded);
}

/**
 * Applies every pending migration and returns the names it applied (none when up to date).
 * Safe when several processes start at once on PostgreSQL: Kysely's migrator holds a
 * session advisory lock (pg_advisory_lock) and reads the applied list inside it, so a
 * second process waits, then finds nothing left to do.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  if (await isUpToDate(db)) return [];
  const migrator = new Migrator({ db, provider: { getMigrations: loadMigrations } });
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
