// The host's side: invitations it sends to future guests.
import type { Kysely } from 'kysely';
import type { components } from '../../generated/openapi.js';
import { findInvitation, insertInvitation, setInvitationArchived } from '../store/invitations.js';
import { connectedRoles } from '../store/connections.js';
import { findOrganization } from '../store/organizations.js';
import type { HostId } from '../store/pair.js';
import type { Database, Organization } from '../store/schema.js';
import { newInvitationToken } from './credentials.js';
import { isExpired, timestamp } from './mappers.js';
import { ProblemError } from './problems.js';

type Invitation = components['schemas']['Invitation'];

export async function createGuestInvitation(
  db: Kysely<Database>,
  host: HostId,
  request: components['schemas']['CreateGuestInvitationRequest'],
  now: Date = new Date(),
): Promise<Invitation> {
  const expiredAt = new Date(request.expired_at);
  if (isExpired(expiredAt, now)) {
    throw new ProblemError('validation_failed', '1 input is invalid.', {
      errors: [
        { location: 'body', pointer: '/expired_at', message: `must be in the future (now is ${timestamp(now)})` },
      ],
    });
  }
  const parentId = request.parent_organization_id?.toLowerCase() ?? null;
  const parent = parentId === null ? undefined : await allowedParent(db, host, parentId);
  if (parentId !== null && parent === undefined) {
    throw new ProblemError('organization_not_found', 'parent_organization_id names no organization.');
  }
  return insertInvitation(
    db,
    {
      host_organization_id: host,
      email: request.email,
      invitation_token: newInvitationToken(),
      expired_at: expiredAt,
      parent_organization_id: parent?.id ?? null,
      first_invitation_sent_at: now,
      last_invitation_sent_at: now,
      created_at: now,
      updated_at: now,
    },
    now,
  );
}

/**
 * The invitation shows its parent's name, so the host may name only an organization it already
 * sees: itself, or one with a `connected` connection to it in either direction (the host and
 * guest scenarios of GET /organizations). Any other id, existing or not, is undefined, the same
 * way and after the same query, so the answer tells a stranger nothing.
 */
async function allowedParent(db: Kysely<Database>, host: HostId, parentId: string): Promise<Organization | undefined> {
  if (parentId !== host) {
    const roles = await connectedRoles(db, host, parentId);
    if (!roles.host && !roles.guest) return undefined;
  }
  return findOrganization(db, parentId);
}

export async function getGuestInvitation(
  db: Kysely<Database>,
  host: HostId,
  invitationId: string,
  now: Date = new Date(),
): Promise<Invitation> {
  const invitation = await findInvitation(db, host, invitationId, now);
  if (invitation === undefined) throw invitationNotFound();
  return invitation;
}

export async function updateGuestInvitation(
  db: Kysely<Database>,
  host: HostId,
  invitationId: string,
  request: components['schemas']['UpdateGuestInvitationRequest'],
  now: Date = new Date(),
): Promise<Invitation> {
  if (!(await setInvitationArchived(db, host, invitationId, request.archived, now))) {
    throw invitationNotFound();
  }
  return getGuestInvitation(db, host, invitationId, now);
}

function invitationNotFound(): ProblemError {
  return new ProblemError('invitation_not_found', 'No such invitation for this host.');
}
