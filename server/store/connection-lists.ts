// The two lists of connections: the guest's (host connections) and the host's (guest
// connections), each read from one index range per list shape (migrations 0007 and 0008).
import { sql, type AliasedSelectQueryBuilder, type Kysely, type QueryCreator, type RawBuilder } from 'kysely';
import type { ListKey, Side } from './connection-sides.js';
import { containsText, inListOrder, listOf, type Direction, type List, type OrderKey } from './list.js';
import type { ConnectionStatus, Database } from './schema.js';
import { selections } from './view.js';

/** A list request as the contract's validation hands it on (its defaults filled in). */
export type ConnectionListQuery<Field extends string, Order extends string> = {
  statuses: ConnectionStatus[];
  search_field: Field;
  search_text?: string | undefined;
  archived?: boolean | undefined;
  order_by: Order;
  order_dir: Direction;
  limit: number;
  offset: number;
};

/**
 * One page of the lister's connections and the number of all matches. `archived` is the
 * lister's own flag; the order is total, ties broken by the other party's id.
 */
export async function listConnections<Field extends string, Order extends string, Mine extends string, Item>(
  db: Kysely<Database>,
  side: Side<Field, Order, Mine, Item>,
  organizationId: NoInfer<Mine>,
  query: ConnectionListQuery<Field, Order>,
): Promise<List<Item>> {
  const { page, count } = listQueries(db, side, organizationId, query);
  // A search's best plan depends on its text (the trigram index for a rare one, the ordered
  // scan for a common one), and its cost dwarfs planning: it keeps custom plans.
  return listOf(db, page, count, query.search_text === undefined);
}

/** The two statements of a list: its page, and the number of all its matches. */
export function listQueries<Field extends string, Order extends string, Mine extends string, Item>(
  db: Kysely<Database>,
  side: Side<Field, Order, Mine, Item>,
  organizationId: NoInfer<Mine>,
  query: ConnectionListQuery<Field, Order>,
) {
  return { page: pageQuery(db, side, organizationId, query), count: countQuery(db, side, organizationId, query) };
}

/** A key as its index holds it (names and e-mails lower-cased), read from `column`. */
function orderKey(key: ListKey, column: RawBuilder<unknown>): OrderKey {
  return { expression: key.lower ? sql`lower(${column})` : column, nullable: key.nullable };
}

/** An entry of a page: the other party's id and the order key, as a range of the index holds them. */
type Entry = { counterpart: string; list_key: unknown };

/**
 * The index of each order holds the rows by (mine, status, archived flag, key, other party).
 * With the status and the flag fixed, a range of it is already in list order; a list over
 * both statuses or both flags merges one range per combination (a Merge Append of up to four
 * index scans, each stopping after offset + limit entries). Each range is a subquery with its
 * own order and limit: PostgreSQL merges the members of a UNION ALL only when they are
 * subqueries it keeps whole, and by an output column (`list_key`), not by an expression over
 * one. A range reads only the other party's id and the key, which the index holds (names and
 * e-mails included), so a deep offset skips index entries without visiting their rows. The
 * page's rows are then read by primary key, one lateral lookup each (`limit 1` keeps it a
 * lookup: a plain join could be planned as a hash join over every connection of the lister).
 * A search instead is one range over every combination, its matches found by the lister's
 * trigram index and few enough to sort, unless the text is so common that the ordered scan
 * finds a page sooner (the planner's choice). A descending page of a nullable key reads its
 * values and then its nulls, each part in ranges of its own (nullsLast).
 */
function pageQuery<Field extends string, Order extends string, Mine extends string, Item>(
  db: Kysely<Database>,
  side: Side<Field, Order, Mine, Item>,
  organizationId: NoInfer<Mine>,
  query: ConnectionListQuery<Field, Order>,
) {
  const key = side.orderKeys[query.order_by];
  const dir = query.order_dir;
  const entries = (part?: Part) => merged(db, side, organizationId, query, part);
  const withHead = db.withTables<{ head: Entry }>();
  let from: QueryCreator<Database & { head: Entry }> = withHead;
  let page: AliasedSelectQueryBuilder<Entry, 'page'> = entries().limit(query.limit).offset(query.offset).as('page');
  // Nulls come last descending too, which a range read backwards does not give (migration 0010).
  if (dir === 'desc' && key.nullable) {
    const parts = nullsLast(db, query, entries);
    from = withHead.with('head', () => parts.head);
    page = parts.page.as('page');
  }
  const lookup = from
    .selectFrom(page)
    .crossJoinLateral((eb) =>
      eb
        .selectFrom('connections')
        .selectAll()
        .where(side.mine, '=', organizationId)
        .where(sql.ref(side.counterpart), '=', sql.ref('page.counterpart'))
        .limit(1)
        .as('c'),
    )
    .select(selections(side.view, 'c', undefined))
    .$castTo<Item>();
  return inListOrder(
    lookup,
    { expression: sql.ref('page.list_key'), nullable: key.nullable },
    sql.ref('page.counterpart'),
    dir,
  );
}

/** The part of a nullable key's entries a range reads: all, only its values, or only its nulls. */
type Part = 'not null' | 'null';

/**
 * The entries of the lister's matches in list order (of one part only, if given), one range per
 * status and flag merged: the page's entries are a window of them.
 */
function merged<Field extends string, Order extends string, Mine extends string, Item>(
  db: Kysely<Database>,
  side: Side<Field, Order, Mine, Item>,
  organizationId: NoInfer<Mine>,
  query: ConnectionListQuery<Field, Order>,
  part?: Part,
) {
  const key = side.orderKeys[query.order_by];
  const column = sql.ref(key.column);
  // Within a part the key is all values or all nulls: a plain `desc` is its order, read backwards.
  const order = orderKey(part === undefined ? key : { ...key, nullable: false }, column);
  const flags = query.archived === undefined ? [false, true] : [query.archived];
  const filters: Filter[] =
    query.search_text === undefined
      ? query.statuses.flatMap((status) => flags.map((archived) => ({ statuses: [status], archived })))
      : [query];
  const members = filters.map((filter, index) => {
    let matches = matching(db, side, organizationId, filter, query);
    if (part !== undefined) matches = matches.where(column, part === 'null' ? 'is' : 'is not', null);
    const ordered = inListOrder(
      matches.select([sql.ref<string>(side.counterpart).as('counterpart'), sql`${order.expression}`.as('list_key')]),
      order,
      sql.ref(side.counterpart),
      query.order_dir,
    ).limit(query.offset + query.limit);
    return db.selectFrom(ordered.as(`range${index}`)).selectAll();
  });
  const [first, ...rest] = members;
  if (first === undefined) throw new Error('a list has at least one status');
  return inListOrder(
    db.selectFrom(rest.reduce((union, member) => union.unionAll(member), first).as('merged')).selectAll(),
    { ...order, expression: sql.ref('list_key') },
    sql.ref('counterpart'),
    query.order_dir,
  );
}

/**
 * A descending page of a nullable key, from the ascending index read backwards: the key's
 * values first (`head`, a CTE: the page's window of them, at most `limit` entries), then its
 * nulls, as many as the page has room for after the values. Where they start is the number of
 * values before the page: none if `head` has any (the values end within the page), else all of
 * them, counted only then (PostgreSQL runs a subquery of an expression when its value is used).
 */
function nullsLast(
  db: Kysely<Database>,
  { limit, offset }: { limit: number; offset: number },
  entries: (part: Part) => ReturnType<typeof merged>,
) {
  const values = db.selectFrom(entries('not null').as('value')).select((eb) => eb.fn.countAll().as('n'));
  const nulls = entries('null')
    .limit(sql<number>`${limit} - (select count(*) from head)`)
    .offset(sql<number>`case when exists (select from head) then 0 else ${offset} - (${values}) end`);
  return {
    head: entries('not null').limit(limit).offset(offset),
    // A subquery: the limit and offset of a member written as is would apply to the whole union.
    page: db
      .withTables<{ head: Entry }>()
      .selectFrom('head')
      .selectAll()
      .unionAll(db.selectFrom(nulls.as('nulls')).selectAll()),
  };
}

type Filter = { statuses: ConnectionStatus[]; archived?: boolean | undefined };

/** The lister's connections in these statuses (and with this flag), matching the search if any. */
function matching<Field extends string>(
  db: Kysely<Database>,
  side: Side<Field, string, string, unknown>,
  organizationId: string,
  filter: Filter,
  search: { search_field: Field; search_text?: string | undefined },
) {
  let matches = db
    .selectFrom('connections')
    .where(side.mine, '=', organizationId)
    .where('status', 'in', filter.statuses);
  if (filter.archived !== undefined) matches = matches.where(side.archived, '=', filter.archived);
  if (search.search_text !== undefined) {
    matches = matches.where(containsText(sql.ref(side.searchColumns[search.search_field]), search.search_text));
  }
  return matches;
}

/**
 * The number of matches: without a search, the sum of the counts the database keeps (at most
 * 64 rows, however many connections). A search cannot be answered by a counter: its matches
 * are counted, found through the lister's trigram index of the searched copy (a bitmap of
 * them, each checked against the text and the filters), so the count costs as many matches as
 * there are. Text of one or two characters has no trigram: it is checked on every connection
 * of the lister.
 */
function countQuery<Field extends string, Order extends string, Mine extends string, Item>(
  db: Kysely<Database>,
  side: Side<Field, Order, Mine, Item>,
  organizationId: NoInfer<Mine>,
  query: ConnectionListQuery<Field, Order>,
) {
  if (query.search_text !== undefined) {
    return matching(db, side, organizationId, query, query).select((eb) => eb.fn.countAll<number>().as('total'));
  }
  let counts = db
    .selectFrom('connection_counts')
    .select(sql<number>`coalesce(sum(n), 0)`.as('total'))
    .where('organization_id', '=', organizationId)
    .where('role', '=', side.role)
    .where('status', 'in', query.statuses);
  if (query.archived !== undefined) counts = counts.where('archived', '=', query.archived);
  return counts;
}
