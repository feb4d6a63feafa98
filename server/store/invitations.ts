// A host's invitations, each read through its view (server/store/views.ts).
import { sql, type Kysely } from 'kysely';
import type { components } from '../../generated/openapi.js';
import type { ValidatedQuery } from '../contract/inputs.js';
import { containsText, lower, pageOf, type List } from './list.js';
import { isUuid } from './organizations.js';
import type { HostId } from './pair.js';
import type { Database, NewInvitation } from './schema.js';
import { selections } from './view.js';
import { invitationView } from './views.js';

type Invitation = components['schemas']['Invitation'];
type ListQuery = ValidatedQuery<'listGuestInvitations'>;

/** Whether each order's column can be null (sorted last in both directions). */
const nullable: Record<ListQuery['order_by'], boolean> = {
  email: false,
  first_invitation_sent_at: false,
  last_invitation_sent_at: false,
  expired_at: false,
  accepted_at: true,
  archived_at: true,
  created_at: false,
  updated_at: false,
};

export async function insertInvitation(db: Kysely<Database>, values: NewInvitation, now: Date): Promise<Invitation> {
  return db
    .insertInto('invitations')
    .values(values)
    .returning(selections(invitationView, 'invitations', { now }))
    .$castTo<Invitation>()
    .executeTakeFirstOrThrow();
}

function hostsInvitations(db: Kysely<Database>, host: HostId) {
  return db.selectFrom('invitations as i').where('i.host_organization_id', '=', host);
}

/** The host's invitation; another host's is not found. */
export async function findInvitation(
  db: Kysely<Database>,
  host: HostId,
  id: string,
  now: Date,
): Promise<Invitation | undefined> {
  if (!isUuid(id)) return undefined;
  return hostsInvitations(db, host)
    .select(selections(invitationView, 'i', { now }))
    .$castTo<Invitation>()
    .where('i.id', '=', id)
    .executeTakeFirst();
}

/** One page of the host's invitations in the order asked, ties broken by id. */
export async function listInvitations(
  db: Kysely<Database>,
  host: HostId,
  query: ListQuery,
  now: Date,
): Promise<List<Invitation>> {
  let matches = hostsInvitations(db, host);
  if (query.statuses !== undefined) matches = matches.where('i.status', 'in', query.statuses);
  if (query.search_text !== undefined) matches = matches.where(containsText(sql.ref('i.email'), query.search_text));
  if (query.expired !== undefined) matches = matches.where('i.expired_at', query.expired ? '<=' : '>', now);
  if (query.archived !== undefined) matches = matches.where('i.archived', '=', query.archived);

  const column = sql.ref(`i.${query.order_by}`);
  const key = { expression: query.order_by === 'email' ? lower(column) : column, nullable: nullable[query.order_by] };
  return pageOf(
    db,
    matches,
    matches.select(selections(invitationView, 'i', { now })).$castTo<Invitation>(),
    { key, tieBreak: sql.ref('i.id'), dir: query.order_dir },
    query,
  );
}

/**
 * Archives (keeping an earlier `archived_at`) or unarchives (clearing it); `updated_at`
 * moves only when the flag changes. False when the host has no such invitation.
 */
export async function setInvitationArchived(
  db: Kysely<Database>,
  host: HostId,
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
    .where('host_organization_id', '=', host)
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
