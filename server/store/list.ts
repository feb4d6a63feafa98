// What every list shares (invitations, both sides' connections, actions): a query taken as the
// contract's validation hands it on, a total order (the key with nulls last in both directions,
// ties broken by a unique column), and one page of items with the exact number of all matches.
import {
  sql,
  type Compilable,
  type Expression,
  type OrderByModifiersCallbackExpression,
  type RawBuilder,
  type Kysely,
  type SelectQueryBuilder,
} from 'kysely';
import { runShaped } from './prepared.js';
import type { Database } from './schema.js';

export type Direction = 'asc' | 'desc';

/** What a list orders by: an expression, and whether it can be null. */
export type OrderKey = { expression: Expression<unknown>; nullable: boolean };

/** One page of a list, the contract's `…List` object. */
export type List<Item> = { items: Item[]; total_items: number };

/**
 * Nulls last in both directions. Only a nullable key says so descending: a key without nulls
 * is read backwards from its ascending index, which PostgreSQL matches to `desc` but not to
 * `desc nulls last` (the connection lists read a nullable key's values and nulls apart).
 */
function direction(key: OrderKey, dir: Direction): OrderByModifiersCallbackExpression {
  return (order) => (dir === 'asc' ? order.asc() : key.nullable ? order.desc().nullsLast() : order.desc());
}

/** The query in list order: by the key, then by `tieBreak` (unique), both in `dir`. */
export function inListOrder<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  key: OrderKey,
  tieBreak: Expression<unknown>,
  dir: Direction,
): SelectQueryBuilder<DB, TB, O> {
  return query.orderBy(key.expression, direction(key, dir)).orderBy(tieBreak, dir);
}

/**
 * A page's items and the number of all matches, the two statements run side by side; with
 * `prepare`, each is prepared for its shape and runs on a generic plan (prepared.ts, runShaped).
 */
export async function listOf<Item>(
  db: Kysely<Database>,
  page: Compilable<Item>,
  count: Compilable<{ total: number }>,
  prepare = false,
): Promise<List<Item>> {
  const run = <Row>(query: Compilable<Row>): Promise<Row[]> =>
    prepare ? runShaped(db, query) : db.executeQuery(query.compile()).then((result) => result.rows);
  const [items, [counted]] = await Promise.all([run(page), run(count)]);
  return { items, total_items: counted?.total ?? 0 };
}

/** How a list is ordered: its key (nulls last), a unique tie-break, the direction. */
type ListOrder = { key: OrderKey; tieBreak: Expression<unknown>; dir: Direction };

/**
 * The page `page` asks for of `items` (the matches, each selected as its view), in list order,
 * and the number of all `matches`: a list whose rows are one query (the connection lists build
 * their page apart, connection-lists.ts).
 */
export function pageOf<DB, TB extends keyof DB, Item>(
  db: Kysely<Database>,
  matches: SelectQueryBuilder<DB, TB, object>,
  items: SelectQueryBuilder<DB, TB, Item>,
  order: ListOrder,
  page: { limit: number; offset: number },
): Promise<List<Item>> {
  const ordered = inListOrder(items, order.key, order.tieBreak, order.dir).limit(page.limit).offset(page.offset);
  return listOf(db, ordered, matches.select(sql<number>`count(*)`.as('total')));
}

/**
 * `column ILIKE '%text%'`, the user's text taken literally: `%`, `_` and `\` would
 * otherwise be wildcards or the escape character.
 */
export function containsText(column: Expression<string>, text: string): RawBuilder<boolean> {
  const pattern = `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
  return sql<boolean>`${column} ilike ${pattern} escape '\\'`;
}

/** Names and e-mails order and match case-insensitively. */
export function lower(column: Expression<unknown>): RawBuilder<string> {
  return sql<string>`lower(${column})`;
}
