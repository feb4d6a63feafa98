import { sql, type Kysely } from 'kysely';
import type { operations } from '../../generated/openapi.js';
import { containsText, direction, lower, type ListResult, type Page } from './lists.js';
import { isUuid } from './organizations.js';
import type { Database, Invitation, InvitationStatus, NewInvitation } from './schema.js';

/** An invitation with the name of its parent organization (null when none). */
export type InvitationRow = Invitation & { parent_organization_name: string | null };

type ListQuery = NonNullable<operations['listGuestInvitations']['parameters']['query']>;
type InvitationOrder = NonNullable<ListQuery['order_by']>;

export type InvitationFilter = {
  statuses?: InvitationStatus[] | undefined;
  searchText?: string | undefined;
  expired?: boolean | undefined;
  archived?: boolean | undefined;
};

type InvitationOrdering = { orderBy: InvitationOrder; orderDir: 'asc' | 'desc' };

export async function insertInvitation(db: Kysely<Database>, values: NewInvitation): Promise<Invitation> {
  return db.insertInto('invitations').values(values).returningAll().executeTakeFirstOrThrow();
}

function withParent(db: Kysely<Database>, hostOrganizationId: string) {
  return db
    .selectFrom('invitations as i')
    .leftJoin('organizations as parent', 'parent.id', 'i.parent_organization_id')
    .where('i.host_organization_id', '=', hostOrganizationId);
}

/** The host's invitation; another host's is not found. */
export async function findInvitation(
  db: Kysely<Database>,
  hostOrganizationId: string,
  id: string,
): Promise<InvitationRow | undefined> {
  if (!isUuid(id)) return undefined;
  return withParent(db, hostOrganizationId)
    .selectAll('i')
    .select('parent.name as parent_organization_name')
    .where('i.id', '=', id)
    .executeTakeFirst();
}

export async function listInvitations(
  db: Kysely<Database>,
  hostOrganizationId: string,
  filter: InvitationFilter,
  ordering: InvitationOrdering,
  page: Page,
  now: Date,
): Promise<ListResult<InvitationRow>> {
  let matches = withParent(db, hostOrganizationId);
  if (filter.statuses !== undefined) matches = matches.where('i.status', 'in', filter.statuses);
  if (filter.searchText !== undefined) matches = matches.where(containsText(sql.ref('i.email'), filter.searchText));
  if (filter.expired !== undefined) matches = matches.where('i.expired_at', filter.expired ? '<=' : '>', now);
  if (filter.archived !== undefined) matches = matches.where('i.archived', '=', filter.archived);

  const { orderBy, orderDir } = ordering;
  const [rows, count] = await Promise.all([
    matches
      .selectAll('i')
      .select('parent.name as parent_organization_name')
      .orderBy(orderBy === 'email' ? lower(sql.ref('i.email')) : sql.ref(`i.${orderBy}`), direction(orderDir))
      .orderBy('i.id', orderDir)
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    matches.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: count.total };
}

/**
 * Archives (keeping an earlier `archived_at`) or unarchives (clearing it); `updated_at`
 * moves only when the flag changes. False when the host has no such invitation.
 */
export async function setInvitationArchived(
  db: Kysely<Database>,
  hostOrganizationId: string,
  id: string,
  archived: boolean,
  now: Date,
): Promise<boolean> {
  if (!isUuid(id)) return false;
  const result = await db
    .updateTable('invitations')
    .set({
      archived,
      archived_at: archived ? sql<Date>`coalesce(archived_at, ${now})` : null,
      updated_at: sql<Date>`case when archived = ${archived} then updated_at else ${now} end`,
    })
    .where('host_organization_id', '=', hostOrganizationId)
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
