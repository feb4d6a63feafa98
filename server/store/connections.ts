// Connections, seen from either side. The guest's view (host connections) joins the host's
// organization; the host's view (guest connections) joins the guest's and the parent's.
import { sql, type Kysely } from 'kysely';
import type { operations } from '../../generated/openapi.js';
import { containsText, direction, lower, type ListResult, type Page } from './lists.js';
import { isUuid } from './organizations.js';
import { isoText, prepared } from './prepared.js';
import type { ActionType, Connection, ConnectionStatus, Database } from './schema.js';

export type HostConnectionRow = Connection & { host_name: string; host_email: string; host_owner_email: string };
export type GuestConnectionRow = Connection & {
  guest_name: string;
  guest_email: string;
  guest_owner_email: string;
  parent_organization_name: string | null;
};

type HostListQuery = operations['listHostConnections']['parameters']['query'];
type GuestListQuery = operations['listGuestConnections']['parameters']['query'];
export type HostConnectionSearchField = NonNullable<HostListQuery['search_field']>;
export type HostConnectionOrder = NonNullable<HostListQuery['order_by']>;
export type GuestConnectionSearchField = NonNullable<GuestListQuery['search_field']>;
export type GuestConnectionOrder = NonNullable<GuestListQuery['order_by']>;

export type ConnectionFilter<Field> = {
  statuses: ConnectionStatus[];
  search?: { field: Field; text: string } | undefined;
  archived?: boolean | undefined;
};

export type ConnectionOrdering<Order> = { orderBy: Order; orderDir: 'asc' | 'desc' };

/** Whether the pair has a connection, in either status. */
export async function connectionExists(db: Kysely<Database>, hostOrganizationId: string, guestOrganizationId: string): Promise<boolean> {
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

function hostConnections(db: Kysely<Database>, guestOrganizationId: string) {
  return db
    .selectFrom('connections as c')
    .innerJoin('organizations as host', 'host.id', 'c.host_organization_id')
    .where('c.guest_organization_id', '=', guestOrganizationId);
}

function guestConnections(db: Kysely<Database>, hostOrganizationId: string) {
  return db
    .selectFrom('connections as c')
    .innerJoin('organizations as guest', 'guest.id', 'c.guest_organization_id')
    .leftJoin('organizations as parent', 'parent.id', 'c.parent_organization_id')
    .where('c.host_organization_id', '=', hostOrganizationId);
}

const hostColumns = ['host.name as host_name', 'host.email as host_email', 'host.owner_email as host_owner_email'] as const;
const guestColumns = [
  'guest.name as guest_name',
  'guest.email as guest_email',
  'guest.owner_email as guest_owner_email',
  'parent.name as parent_organization_name',
] as const;

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
     host.name as host_name, host.email as host_email, host.owner_email as host_owner_email,
     c.status, c.guest_archived, ${isoText('c.guest_archived_at')} as guest_archived_at,
     c.active_action_type, ${isoText('c.active_action_updated_at')} as active_action_updated_at,
     ${isoText('c.created_at')} as created_at, ${isoText('c.updated_at')} as updated_at
   from connections c
   join organizations host on host.id = c.host_organization_id
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

/** The host's connection to this guest. */
export async function findGuestConnection(
  db: Kysely<Database>,
  hostOrganizationId: string,
  guestOrganizationId: string,
): Promise<GuestConnectionRow | undefined> {
  if (!isUuid(guestOrganizationId)) return undefined;
  return guestConnections(db, hostOrganizationId)
    .selectAll('c')
    .select(guestColumns)
    .where('c.guest_organization_id', '=', guestOrganizationId)
    .executeTakeFirst();
}

const hostSearchColumns = { host_name: 'host.name', host_email: 'host.email', owner_email: 'host.owner_email' } as const;
const hostOrderColumns = {
  host_name: lower(sql.ref('host.name')),
  host_email: lower(sql.ref('host.email')),
  owner_email: lower(sql.ref('host.owner_email')),
  created_at: sql.ref('c.created_at'),
  updated_at: sql.ref('c.updated_at'),
  archived_at: sql.ref('c.guest_archived_at'),
  active_action_updated_at: sql.ref('c.active_action_updated_at'),
} satisfies Record<HostConnectionOrder, unknown>;

/** The guest's connections; `archived` is the guest's own flag; ties broken by the host's id. */
export async function listHostConnections(
  db: Kysely<Database>,
  guestOrganizationId: string,
  filter: ConnectionFilter<HostConnectionSearchField>,
  ordering: ConnectionOrdering<HostConnectionOrder>,
  page: Page,
): Promise<ListResult<HostConnectionRow>> {
  let matches = hostConnections(db, guestOrganizationId).where('c.status', 'in', filter.statuses);
  if (filter.search !== undefined) {
    matches = matches.where(containsText(sql.ref(hostSearchColumns[filter.search.field]), filter.search.text));
  }
  if (filter.archived !== undefined) matches = matches.where('c.guest_archived', '=', filter.archived);

  const [rows, count] = await Promise.all([
    matches
      .selectAll('c')
      .select(hostColumns)
      .orderBy(hostOrderColumns[ordering.orderBy], direction(ordering.orderDir))
      .orderBy('c.host_organization_id', ordering.orderDir)
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    matches.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: count.total };
}

const guestSearchColumns = { guest_name: 'guest.name', guest_email: 'guest.email', owner_email: 'guest.owner_email' } as const;
const guestOrderColumns = {
  guest_name: lower(sql.ref('guest.name')),
  guest_email: lower(sql.ref('guest.email')),
  owner_email: lower(sql.ref('guest.owner_email')),
  created_at: sql.ref('c.created_at'),
  updated_at: sql.ref('c.updated_at'),
  archived_at: sql.ref('c.host_archived_at'),
  active_action_updated_at: sql.ref('c.active_action_updated_at'),
  total_score: sql.ref('c.total_score'),
  score_updated_at: sql.ref('c.score_updated_at'),
} satisfies Record<GuestConnectionOrder, unknown>;

/** The host's connections; `archived` is the host's own flag; ties broken by the guest's id. */
export async function listGuestConnections(
  db: Kysely<Database>,
  hostOrganizationId: string,
  filter: ConnectionFilter<GuestConnectionSearchField>,
  ordering: ConnectionOrdering<GuestConnectionOrder>,
  page: Page,
): Promise<ListResult<GuestConnectionRow>> {
  let matches = guestConnections(db, hostOrganizationId).where('c.status', 'in', filter.statuses);
  if (filter.search !== undefined) {
    matches = matches.where(containsText(sql.ref(guestSearchColumns[filter.search.field]), filter.search.text));
  }
  if (filter.archived !== undefined) matches = matches.where('c.host_archived', '=', filter.archived);

  const [rows, count] = await Promise.all([
    matches
      .selectAll('c')
      .select(guestColumns)
      .orderBy(guestOrderColumns[ordering.orderBy], direction(ordering.orderDir))
      .orderBy('c.guest_organization_id', ordering.orderDir)
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    matches.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: count.total };
}
