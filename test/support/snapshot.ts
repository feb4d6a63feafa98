// Every table summed up: a request that must change nothing is checked by comparing the
// summaries before and after it. The row count catches inserts and deletes; the newest xmin
// (the id of the transaction that last wrote a row version) catches updates, which write a new
// version of the row. A rolled-back write leaves no visible version, so it changes neither.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../server/store/schema.js';

/** Per table: the number of rows and the newest transaction that wrote one. */
export type TableSnapshot = Record<string, string>;

const tableNames = new WeakMap<Kysely<Database>, Promise<string[]>>();

function tablesOf(db: Kysely<Database>): Promise<string[]> {
  let names = tableNames.get(db);
  if (names === undefined) {
    names = sql<{ name: string }>`
      select table_name as name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name
    `
      .execute(db)
      .then(({ rows }) => rows.map((row) => row.name));
    tableNames.set(db, names);
  }
  return names;
}

/** One statement for all tables. */
export async function snapshotTables(db: Kysely<Database>): Promise<TableSnapshot> {
  const names = await tablesOf(db);
  const parts = names.map(
    (name) =>
      sql`select ${name}::text as name, count(*)::text || ' rows, newest xmin ' || coalesce(max(xmin::text::bigint), 0)::text as summary from ${sql.table(name)}`,
  );
  const { rows } = await sql<{ name: string; summary: string }>`${sql.join(parts, sql` union all `)}`.execute(db);
  return Object.fromEntries(rows.map((row) => [row.name, row.summary]));
}

/** The tables whose summary differs, e.g. `connections: 3 rows, newest xmin 812 → 4 rows, newest xmin 815`. */
export function changedTables(before: TableSnapshot, after: TableSnapshot): string[] {
  return Object.keys({ ...before, ...after })
    .filter((name) => before[name] !== after[name])
    .map((name) => `${name}: ${before[name] ?? 'absent'} → ${after[name] ?? 'absent'}`);
}
