// Connections, and the two lists of them: the guest's (host connections) and the host's (guest
// connections), each read from one index range per list shape (migrations 0007 and 0008).
import { sql, type Kysely, type OrderByModifiersCallbackExpression, type RawBuilder } from 'kysely';
import type { ListKey, Side } from './connection-sides.js';
import { containsText, type ListResult } from './lists.js';
import { isUuid } from './organizations.js';
import { isoText, prepared } from './prepared.js';
import type { ActionType, Connection, ConnectionStatus, Database } from './schema.js';

/** A connection with its parent's name (the host's view shows it; the guest's does not). */
export type ConnectionRow = Connection & { parent_organization_name: string | null };

/** A list request, the contract's defaults filled in. */
export type ConnectionListQuery<Field extends string, Order extends string> = {
  statuses: ConnectionStatus[];
  search_field: Field;
  search_text?: string | undefined;
  archived?: boolean | undefined;
  order_by: Order;
  order_dir: 'asc' | 'desc';
  limit: number;
  offset: number;
};

/** Whether the pair has a connection, in either status. */
export async function connectionExists(
  db: Kysely<Database>,
  hostOrganizationId: string,
  guestOrganizationId: string,
): Promise<boolean> {
  if (!isUuid(hostOrganizationId) || !isUuid(guestOrganizationId)) return false;
  const row = await db
    .selectFrom('connections')
    .select('status')
    .where('host_organization_id', '=', hostOrganizationId)
    .where('guest_organization_id', '=', guestOrganizationId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The connection row, locked until the transaction ends; serializes changes to one connection. */
export async function lockConnection(
  trx: Kysely<Database>,
  hostOrganizationId: string,
  guestOrganizationId: string,
): Promise<Connection | undefined> {
  if (!isUuid(hostOrganizationId) || !isUuid(guestOrganizationId)) return undefined;
  return trx
    .selectFrom('connections')
    .selectAll()
    .where('host_organization_id', '=', hostOrganizationId)
    .where('guest_organization_id', '=', guestOrganizationId)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateConnection(
  trx: Kysely<Database>,
  hostOrganizationId: string,
  guestOrganizationId: string,
  values: Partial<
    Pick<
      Connection,
      | 'status'
      | 'host_archived'
      | 'host_archived_at'
      | 'guest_archived'
      | 'guest_archived_at'
      | 'active_action_type'
      | 'active_action_updated_at'
      | 'updated_at'
    >
  >,
): Promise<void> {
  await trx
    .updateTable('connections')
    .set(values)
    .where('host_organization_id', '=', hostOrganizationId)
    .where('guest_organization_id', '=', guestOrganizationId)
    .execute();
}

/** The lister's connection to one other party; none when the pair is not connected in any status. */
export async function findConnection(
  db: Kysely<Database>,
  side: Side<string, string>,
  organizationId: string,
  counterpartId: string,
): Promise<ConnectionRow | undefined> {
  if (!isUuid(counterpartId)) return undefined;
  return db
    .selectFrom('connections as c')
    .leftJoin('organizations as parent', 'parent.id', 'c.parent_organization_id')
    .selectAll('c')
    .select('parent.name as parent_organization_name')
    .where(`c.${side.mine}`, '=', organizationId)
    .where(`c.${side.counterpart}`, '=', counterpartId)
    .executeTakeFirst();
}

/** The guest's view of one connection, its timestamps as the contract's text (`isoText`). */
export type HostConnectionText = {
  host_organization_id: string;
  guest_organization_id: string;
  host_name: string;
  host_email: string;
  host_owner_email: string;
  status: ConnectionStatus;
  guest_archived: boolean;
  guest_archived_at: string | null;
  active_action_type: ActionType | null;
  active_action_updated_at: string | null;
  created_at: string;
  updated_at: string;
};

export const hostConnectionById = prepared<HostConnectionText, [guest: string, host: string]>(
  'host_connection',
  `select c.host_organization_id, c.guest_organization_id,
     c.host_name, c.host_email, c.host_owner_email,
     c.status, c.guest_archived, ${isoText('c.guest_archived_at')} as guest_archived_at,
     c.active_action_type, ${isoText('c.active_action_updated_at')} as active_action_updated_at,
     ${isoText('c.created_at')} as created_at, ${isoText('c.updated_at')} as updated_at
   from connections c
   where c.guest_organization_id = $1 and c.host_organization_id = $2`,
);

/**
 * The guest's connection to this host; none when the pair is not connected in any status.
 * Read on every GET /host-connections/{host_org_id}: a prepared statement.
 */
export async function findHostConnection(
  db: Kysely<Database>,
  guestOrganizationId: string,
  hostOrganizationId: string,
): Promise<HostConnectionText | undefined> {
  if (!isUuid(hostOrganizationId) || !isUuid(guestOrganizationId)) return undefined;
  return hostConnectionById.first(db, guestOrganizationId, hostOrganizationId);
}

/**
 * One page of the lister's connections and the number of all matches. `archived` is the
 * lister's own flag; the order is total, ties broken by the other party's id.
 */
export async function listConnections<Field extends string, Order extends string>(
  db: Kysely<Database>,
  side: Side<Field, Order>,
  organizationId: string,
  query: ConnectionListQuery<Field, Order>,
): Promise<ListResult<ConnectionRow>> {
  const { page, count } = listQueries(db, side, organizationId, query);
  const [rows, counted] = await Promise.all([page.execute(), count.executeTakeFirstOrThrow()]);
  return { rows, total: counted.total };
}

/** The two statements of a list: its page, and the number of all its matches. */
export function listQueries<Field extends string, Order extends string>(
  db: Kysely<Database>,
  side: Side<Field, Order>,
  organizationId: string,
  query: ConnectionListQuery<Field, Order>,
) {
  return { page: pageQuery(db, side, organizationId, query), count: countQuery(db, side, organizationId, query) };
}

/** A key as its index holds it: names and e-mails lower-cased. */
function keyOf(key: ListKey): RawBuilder<unknown> {
  return key.lower ? sql`lower(${sql.ref(key.column)})` : sql`${sql.ref(key.column)}`;
}

/**
 * Nulls last in both directions. Only a nullable key says so descending: there its index is
 * `desc nulls last`, while a key without nulls is read backwards from its ascending index,
 * which PostgreSQL matches to `desc` but not to `desc nulls last`.
 */
function direction(key: ListKey, dir: 'asc' | 'desc'): OrderByModifiersCallbackExpression {
  return (order) => (dir === 'asc' ? order.asc() : key.nullable ? order.desc().nullsLast() : order.desc());
}

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
 * finds a page sooner (the planner's choice).
 */
function pageQuery<Field extends string, Order extends string>(
  db: Kysely<Database>,
  side: Side<Field, Order>,
  organizationId: string,
  query: ConnectionListQuery<Field, Order>,
) {
  const key = side.orderKeys[query.order_by];
  const dir = query.order_dir;
  const flags = query.archived === undefined ? [false, true] : [query.archived];
  const ranges: Filter[] =
    query.search_text === undefined
      ? query.statuses.flatMap((status) => flags.map((archived) => ({ statuses: [status], archived })))
      : [query];

  const members = ranges.map((range, index) => {
    const ordered = matching(db, side, organizationId, range, query)
      .select([sql.ref<string>(side.counterpart).as('counterpart'), keyOf(key).as('list_key')])
      .orderBy(keyOf(key), direction(key, dir))
      .orderBy(side.counterpart, dir)
      .limit(query.offset + query.limit);
    return db.selectFrom(ordered.as(`range${index}`)).selectAll();
  });
  const [first, ...rest] = members;
  if (first === undefined) throw new Error('a list has at least one status');
  const page = db
    .selectFrom(rest.reduce((union, member) => union.unionAll(member), first).as('merged'))
    .selectAll()
    .orderBy('list_key', direction(key, dir))
    .orderBy('counterpart', dir)
    .limit(query.limit)
    .offset(query.offset);

  return db
    .selectFrom(page.as('page'))
    .crossJoinLateral((eb) =>
      eb
        .selectFrom('connections')
        .selectAll()
        .where(side.mine, '=', organizationId)
        .where(sql.ref(side.counterpart), '=', sql.ref('page.counterpart'))
        .limit(1)
        .as('c'),
    )
    .selectAll('c')
    .select((eb) =>
      eb
        .selectFrom('organizations as parent')
        .select('parent.name')
        .whereRef('parent.id', '=', 'c.parent_organization_id')
        .as('parent_organization_name'),
    )
    .orderBy('page.list_key', direction(key, dir))
    .orderBy('page.counterpart', dir);
}

type Filter = { statuses: ConnectionStatus[]; archived?: boolean | undefined };

/** The lister's connections in these statuses (and with this flag), matching the search if any. */
function matching<Field extends string>(
  db: Kysely<Database>,
  side: Side<Field, string>,
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
function countQuery<Field extends string, Order extends string>(
  db: Kysely<Database>,
  side: Side<Field, Order>,
  organizationId: string,
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
