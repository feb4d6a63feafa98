// The statements of the hot paths (every secured request, GET of either side's connection, POST
// /host-connections), written once as SQL and compiled once, at module load, instead of being
// rebuilt and recompiled by Kysely's builder on every request. Each has a name: both engines'
// connections prepare a named statement on its first use and from then on only bind and run
// it, so PostgreSQL parses and plans it once per connection (pg's `{ name, text, values }`; the
// PGlite dialect speaks the extended protocol itself). Any other SQL runs as before.
//
// Keep these statements' column lists explicit (no `*`): PostgreSQL refuses to run a prepared
// statement whose result columns changed under it ("cached plan must not change result type").
import { createHash } from 'node:crypto';
import { CompiledQuery, type Compilable, type Kysely, type QueryResult } from 'kysely';
import type { Database } from './schema.js';

/** SQL text → statement name, for the drivers, and back: one name per text and one text per name. */
const names = new Map<string, string>();
const texts = new Map<string, string>();

export interface Prepared<Row, Params extends readonly unknown[]> {
  readonly name: string;
  readonly sql: string;
  /** Runs the statement on `db` (a transaction or the pool) with these parameters. */
  execute(db: Kysely<Database>, ...params: Params): Promise<QueryResult<Row>>;
  /** The first row, if any. */
  first(db: Kysely<Database>, ...params: Params): Promise<Row | undefined>;
}

/**
 * A statement with `$1`, `$2`… placeholders, compiled now. `Params` lists the parameters'
 * TypeScript types in order; `Row` is what one result row holds.
 */
export function prepared<Row, Params extends readonly unknown[]>(name: string, sql: string): Prepared<Row, Params> {
  const text = sql.replace(/\s+/g, ' ').trim();
  if ((texts.get(name) ?? text) !== text || (names.get(text) ?? name) !== name) {
    throw new Error(`prepared statement ${name}: another statement has its name or its text`);
  }
  names.set(text, name);
  texts.set(name, text);
  // The Kysely query node and id of a raw query, made once; only the parameters change per call.
  const compiled = CompiledQuery.raw(text);
  const execute = (db: Kysely<Database>, ...params: Params): Promise<QueryResult<Row>> =>
    db.executeQuery<Row>({ ...compiled, parameters: params });
  return {
    name,
    sql: text,
    execute,
    first: async (db, ...params) => (await execute(db, ...params)).rows[0],
  };
}

/** The name a hot statement is prepared under; undefined for any other SQL. */
export function preparedName(sql: string): string | undefined {
  return names.get(sql);
}

/**
 * A list's statements: their text varies with the list's shape (its order, filters, search),
 * not with its values, so each text is prepared under a name made from it, and a connection
 * keeps the most recently used ones only (statement-cache.ts). Without this, PostgreSQL
 * planned every list request anew (~0.4 ms of its ~1.2 ms per 25-row list). The number of
 * texts is bounded by the contract's shapes, and so is this map.
 */
const shapedNames = new Map<string, string>();

/** Runs `query` as a list statement (see shapedNames) and returns its rows. */
export async function runShaped<Row>(db: Kysely<Database>, query: Compilable<Row>): Promise<Row[]> {
  const compiled = query.compile();
  if (!shapedNames.has(compiled.sql)) {
    shapedNames.set(compiled.sql, `list_${createHash('sha1').update(compiled.sql).digest('hex').slice(0, 24)}`);
  }
  return (await db.executeQuery(compiled)).rows;
}

/** The name a list statement is prepared under (a connection keeps a bounded number of them). */
export function shapedName(sql: string): string | undefined {
  return shapedNames.get(sql);
}
