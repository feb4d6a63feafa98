// A view: how each field of one contract object is read from the database, declared once
// (server/store/views.ts). The SELECT and RETURNING lists, the row type (the contract object
// itself) and its mapping all follow from it: the database hands back the contract's fields
// under the contract's names, timestamps already as the contract's text on both engines.
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
  type AliasedRawBuilder,
  type Expression,
  type RawBuilder,
} from 'kysely';

/** How one field is read: an SQL expression over the view's row (`alias`), of the field's type. */
export interface Source<Value, Context> {
  read(alias: string, context: Context): RawBuilder<Value>;
}

/**
 * One source per field of the contract object `Schema`. A field without its source, a source
 * without its field, or a source of another type than its field fails `tsc`, naming the field.
 */
export type View<Schema, Context = undefined> = {
  readonly [Field in keyof Schema]-?: Source<Schema[Field], Context>;
};

type TimestampColumn<Row> = { [C in keyof Row]: Row[C] extends Date | null ? C : never }[keyof Row] & string;

/** The sources over one table, typed by its row (`Selectable<…Table>`). */
export function sourcesOf<Row, Context = undefined>() {
  const ref = (alias: string, column: string) => sql.ref(`${alias}.${column}`);
  return {
    /** The column as it is. */
    column: <C extends keyof Row & string>(column: C): Source<Row[C], Context> => ({
      read: (alias) => sql<Row[C]>`${ref(alias, column)}`,
    }),
    /** A timestamptz column as the contract's date-time text. */
    timestamp: <C extends TimestampColumn<Row>>(
      column: C,
    ): Source<null extends Row[C] ? string | null : string, Context> => ({
      read: (alias) => isoText(ref(alias, column)),
    }),
    /** Any other expression over the row's columns (and the read's context). */
    expression: <Value>(
      read: (column: (name: keyof Row & string) => Expression<unknown>, context: Context) => RawBuilder<Value>,
    ): Source<Value, Context> => ({
      read: (alias, context) => read((name) => ref(alias, name), context),
    }),
  };
}

/**
 * A timestamptz as the contract's date-time text, made by PostgreSQL: what
 * `Date.prototype.toISOString()` makes of the value (UTC, milliseconds, the microseconds cut
 * off, not rounded). For the years 1 to 9999, the only ones the contract's date-time can hold.
 */
function isoText(value: Expression<unknown>): RawBuilder<string> {
  return sql<string>`to_char(${value} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** The view's fields as a select or returning list over `alias`, in the order declared. */
export function selections<Schema, Context>(
  view: View<Schema, Context>,
  alias: string,
  context: Context,
): AliasedRawBuilder<unknown, string>[] {
  return Object.entries<Source<unknown, Context>>(view).map(([field, source]) => source.read(alias, context).as(field));
}

// Compiles SQL without a database, for the text of prepared statements.
const compiler = new Kysely<unknown>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

/** The same list as SQL text, for a prepared statement: a view read there takes no parameters. */
export function selectionText<Schema>(view: View<Schema>, alias: string): string {
  const compiled = sql.join(selections(view, alias, undefined)).compile(compiler);
  if (compiled.parameters.length > 0) throw new Error('a view read by a prepared statement takes no parameters');
  return compiled.sql;
}
