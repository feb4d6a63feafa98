// generated/database.ts: the Kysely types of the tables, read from a fresh PGlite after every
// migration of server/store/migrations, so a migration is all a new column needs. A column's
// type follows from its SQL type, `| null` from its nullability, Generated<> from its default;
// a text column with a single-column check `col in ('a', 'b')` is typed as that union, which is
// the contract's enum wherever the code compares the two.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type Kysely, sql } from 'kysely';
import { migrateToLatest, migrationNames } from '../../server/store/migrate.js';
import { pgliteVersion } from '../../server/store/pglite-version.js';
import type { Database } from '../../server/store/schema.js';

// The TypeScript type of each SQL type the migrations use, as both engines hand it back
// (server/store/engine-values.ts parses numeric to a number). A new one fails here, by name.
const TYPES: Record<string, string> = {
  bool: 'boolean',
  int2: 'number',
  int4: 'number',
  int8: 'number',
  float8: 'number',
  numeric: 'number',
  text: 'string',
  uuid: 'string',
  jsonb: 'unknown',
  timestamptz: 'Date',
  _text: 'string[]',
};

// NOT NULL columns without a default that a trigger fills on insert (migration 0007 copies the
// organizations' names and e-mails onto each connection): an insert need not give them.
const FILLED_BY_TRIGGER: Record<string, string[]> = {
  connections: ['host_name', 'host_email', 'host_owner_email', 'guest_name', 'guest_email', 'guest_owner_email'],
};

interface Column {
  table_name: string;
  column_name: string;
  udt_name: string;
  nullable: boolean;
  has_default: boolean;
}

async function readColumns(db: Kysely<Database>): Promise<Column[]> {
  const { rows } = await sql<Column>`
    select c.table_name, c.column_name, c.udt_name, c.is_nullable = 'YES' as nullable,
      c.column_default is not null or c.is_identity = 'YES' or c.is_generated = 'ALWAYS' as has_default
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = 'public' and t.table_type = 'BASE TABLE' and c.table_name not like 'kysely\\_%'
    order by c.table_name, c.ordinal_position`.execute(db);
  return rows;
}

/** The values of each `col = ANY (ARRAY['a'::text, …])` check, by `table.column`. */
async function readEnums(db: Kysely<Database>): Promise<Map<string, string[]>> {
  const { rows } = await sql<{ key: string; definition: string }>`
    select rel.relname || '.' || att.attname as key, pg_get_constraintdef(con.oid) as definition
    from pg_constraint con
    join pg_class rel on rel.oid = con.conrelid
    join pg_namespace ns on ns.oid = rel.relnamespace
    join pg_attribute att on att.attrelid = rel.oid and att.attnum = con.conkey[1]
    where con.contype = 'c' and ns.nspname = 'public' and cardinality(con.conkey) = 1`.execute(db);
  const enums = new Map<string, string[]>();
  for (const { key, definition } of rows) {
    const list = /^CHECK \(\(\w+ = ANY \(ARRAY\[(.*)\]\)\)\)$/.exec(definition)?.[1];
    if (list !== undefined)
      enums.set(
        key,
        [...list.matchAll(/'((?:[^']|'')*)'::text/g)].map((m) => m[1] ?? ''),
      );
  }
  return enums;
}

const pascal = (name: string): string => name.replace(/(?:^|_)(\w)/g, (_, letter: string) => letter.toUpperCase());

function columnType(column: Column, enums: Map<string, string[]>): string {
  const key = `${column.table_name}.${column.column_name}`;
  const values = enums.get(key);
  const type = values?.map((value) => `'${value.replaceAll("''", "\\'")}'`).join(' | ') ?? TYPES[column.udt_name];
  if (type === undefined) throw new Error(`${key}: no TypeScript type for ${column.udt_name}; add it to TYPES`);
  const value = column.nullable ? `${type} | null` : type;
  return column.has_default || FILLED_BY_TRIGGER[column.table_name]?.includes(column.column_name)
    ? `Generated<${value}>`
    : value;
}

function render(columns: Column[], enums: Map<string, string[]>): string {
  const tables = new Map<string, Column[]>();
  for (const column of columns) tables.set(column.table_name, [...(tables.get(column.table_name) ?? []), column]);
  for (const [table, names] of Object.entries(FILLED_BY_TRIGGER))
    for (const name of names)
      if (!tables.get(table)?.some((column) => column.column_name === name && !column.has_default))
        throw new Error(`FILLED_BY_TRIGGER names ${table}.${name}, which is no column without a default`);
  const interfaces = [...tables].map(
    ([table, columns]) =>
      `export interface ${pascal(table)}Table {\n${columns.map((column) => `  ${column.column_name}: ${columnType(column, enums)};\n`).join('')}}\n`,
  );
  return [
    "import type { Generated } from 'kysely';\n",
    ...interfaces,
    `export interface Database {\n${[...tables.keys()].map((table) => `  ${table}: ${pascal(table)}Table;\n`).join('')}}\n`,
  ].join('\n');
}

const sha = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** What the module follows from: every migration's text, this generator's, and the PGlite that runs them. */
async function sourcesHash(): Promise<string> {
  const files = [
    ...migrationNames.map((name) => new URL(`../../server/store/migrations/${name}.ts`, import.meta.url)),
    new URL(import.meta.url),
  ];
  const texts = await Promise.all(files.map((file) => readFile(file, 'utf8')));
  return sha([pgliteVersion(), ...texts].join('\0'));
}

const header = (sources: string, body: string) =>
  `// Generated by \`npm run generate\` from the tables that server/store/migrations make. Do not edit.\n` +
  `// sources ${sources} body ${sha(body)}\n\n`;

/**
 * Whether `committed` is what databaseModule() would make now, judged without a database: its
 * header holds the hash of the sources it was made from and of its body, and the same
 * migrations on the same PGlite make the same tables. A changed migration, generator or PGlite,
 * or a body edited by hand, makes it stale.
 */
export async function isCurrentDatabaseModule(committed: string | undefined): Promise<boolean> {
  const body = committed?.slice(committed.indexOf('\n\n') + 2);
  return body !== undefined && committed === header(await sourcesHash(), body) + body;
}

/** The module, from a fresh PGlite in memory (from the prepared template; a new migration makes a new one, once). */
export async function databaseModule(): Promise<string> {
  const sources = await sourcesHash();
  // Loaded only here: generate:check loads no database engine.
  const { openMemoryDatabase } = await import('../../server/store/database.js');
  const store = await openMemoryDatabase();
  try {
    await migrateToLatest(store.db);
    const made = render(await readColumns(store.db), await readEnums(store.db));
    return header(sources, made) + made;
  } finally {
    await store.close();
  }
}
