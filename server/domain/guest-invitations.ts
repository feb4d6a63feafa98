// The host's side: invitations it sends to future guests.
import type { Kysely } from 'kysely';
import type { components } from '../../generated/openapi.js';
import type { ValidatedQuery } from '../contract/inputs.js';
import { findInvitation, insertInvitation, listInvitations, setInvitationArchived } from '../store/invitations.js';
import { findOrganization } from '../store/organizations.js';
import { connectedRoles } from '../store/scenarios.js';
import type { Database, Organization } from '../store/schema.js';
import { newInvitationToken } from './credentials.js';
import { isExpired, timestamp, toInvitation } from './mappers.js';
import { ProblemError } from './problems.js';

type Invitation = components['schemas']['Invitation'];
type ListQuery = ValidatedQuery<'listGuestInvitations'>;

export async function createGuestInvitation(
  db: Kysely<Database>,
  hostOrganizationId: string,
  request: components['schemas']['CreateGuestInvitationRequest'],
  now: Date = new Date(),
): Promise<Invitation> {
  const expiredAt = new Date(request.expired_at);
  if (isExpired(expiredAt, now)) {
    throw new ProblemError('validation_failed', '1 input is invalid.', [
      { location: 'body', pointer: '/expired_at', message: `must be in the future (now is ${timestamp(now)})` },
    ]);
  }
  const parentId = request.parent_organization_id?.toLowerCase() ?? null;
  const parent = parentId === null ? undefined : await allowedParent(db, hostOrganizationId, parentId);
  if (parentId !== null && parent === undefined) {
    throw new ProblemError('organization_not_found', 'parent_organization_id names no organization.');
  }
  const row = await insertInvitation(db, {
    host_organization_id: hostOrganizationId,
    email: request.email,
    invitation_token: newInvitationToken(),
    expired_at: expiredAt,
    parent_organization_id: parentId,
    first_invitation_sent_at: now,
    last_invitation_sent_at: now,
    created_at: now,
    updated_at: now,
  });
  return toInvitation({ ...row, parent_organization_name: parent?.name ?? null }, now);
}

/**
 * The invitation shows its parent's name, so the host may name only an organization it already
 * sees: itself, or one with a `connected` connection to it in either direction (the host and
 * guest scenarios of GET /organizations). Any other id, existing or not, is undefined, the same
 * way and after the same query, so the answer tells a stranger nothing.
 */
async function allowedParent(
  db: Kysely<Database>,
  hostOrganizationId: string,
  parentId: string,
): Promise<Organization | undefined> {
  if (parentId !== hostOrganizationId) {
    const roles = await connectedRoles(db, hostOrganizationId, parentId);
    if (!roles.host && !roles.guest) return undefined;
  }
  return findOrganization(db, parentId);
}

export async function getGuestInvitation(
  db: Kysely<Database>,
  hostOrganizationId: string,
  invitationId: string,
  now: Date = new Date(),
): Promise<Invitation> {
  const row = await findInvitation(db, hostOrganizationId, invitationId);
  if (row === undefined) throw invitationNotFound();
  return toInvitation(row, now);
}

/** The list parameters arrive with the contract's defaults filled in (`ValidatedQuery`). */
export async function listGuestInvitations(
  db: Kysely<Database>,
  hostOrganizationId: string,
  query: ListQuery,
  now: Date = new Date(),
): Promise<components['schemas']['InvitationList']> {
  const { rows, total } = await listInvitations(
    db,
    hostOrganizationId,
    { statuses: query.statuses, searchText: query.search_text, expired: query.expired, archived: query.archived },
    { orderBy: query.order_by, orderDir: query.order_dir },
    { limit: query.limit, offset: query.offset },
    now,
  );
  return { items: rows.map((row) => toInvitation(row, now)), total_items: total };
}

export async function updateGuestInvitation(
  db: Kysely<Database>,
  hostOrganizationId: string,
  invitationId: string,
  request: components['schemas']['UpdateGuestInvitationRequest'],
  now: Date = new Date(),
): Promise<Invitation> {
  if (!(await setInvitationArchived(db, hostOrganizationId, invitationId, request.archived, now))) {
    throw invitationNotFound();
  }
  return getGuestInvitation(db, hostOrganizationId, invitationId, now);
}

function invitationNotFound(): ProblemError {
  return new ProblemError('invitation_not_found', 'No such invitation for this host.');
}
