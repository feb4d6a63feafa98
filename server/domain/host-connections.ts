// The guest's side: connecting to hosts, and its view of those connections.
import type { Kysely } from 'kysely';
import type { components } from '../../generated/openapi.js';
import type { ValidatedQuery } from '../contract/inputs.js';
import { hostConnections } from '../store/connection-sides.js';
import { connectionExists, findConnection, insertConnection, listConnections, lockConnection, updateConnection } from '../store/connections.js';
import { isUniqueViolation } from '../store/errors.js';
import { acceptInvitation, lockInvitationByToken, lockPendingInvitationFor } from '../store/invitations.js';
import { findOrganization } from '../store/organizations.js';
import type { Connection, Database, Invitation } from '../store/schema.js';
import { idempotent, type Idempotent } from './idempotency.js';
import { isExpired, timestamp, toHostConnection } from './mappers.js';
import { ProblemError } from './problems.js';

type HostConnection = components['schemas']['HostConnection'];

export type CreatedHostConnection = Idempotent<HostConnection>;

/**
 * POST /host-connections. One transaction holds the idempotency check, the invitation lock,
 * the new connection, the invitation's acceptance and the stored response. Concurrent
 * requests, in any number of processes, are settled by the database: the invitation row lock
 * makes them queue, and the connections primary key refuses a second row for the pair.
 */
export async function createHostConnection(
  db: Kysely<Database>,
  guestOrganizationId: string,
  request: components['schemas']['CreateHostConnectionRequest'],
  idempotencyKey: string | undefined,
  now: Date = new Date(),
): Promise<CreatedHostConnection> {
  // Normalized, so an absent token and a null one, or a differently cased id, are the same request.
  const normalized = {
    host_organization_id: request.host_organization_id.toLowerCase(),
    invitation_token: request.invitation_token ?? null,
  };
  const scope = {
    organizationId: guestOrganizationId,
    key: idempotencyKey,
    operationId: 'createHostConnection',
    request: normalized,
  };
  return db
    .transaction()
    .execute((trx) =>
      idempotent(trx, scope, now, () =>
        connect(trx, guestOrganizationId, normalized.host_organization_id, normalized.invitation_token, now),
      ),
    );
}

async function connect(
  trx: Kysely<Database>,
  guestOrganizationId: string,
  hostOrganizationId: string,
  token: string | null,
  now: Date,
): Promise<HostConnection> {
  const host = await findOrganization(trx, hostOrganizationId);
  if (host === undefined) throw new ProblemError('organization_not_found', 'No such organization.');
  if (host.id === guestOrganizationId) {
    throw new ProblemError('self_connection', 'host_organization_id is the requester itself.');
  }
  const guest = await findOrganization(trx, guestOrganizationId);
  if (guest === undefined) throw new Error(`the authenticated organization ${guestOrganizationId} does not exist`);

  // Lock the invitation before looking for the connection: a request that waited here for a
  // concurrent one then sees the connection that one committed, and answers 409.
  const invitation =
    token === null
      ? await lockPendingInvitationFor(trx, host.id, [guest.email, guest.owner_email], now)
      : await lockInvitationByToken(trx, token);
  if (await connectionExists(trx, host.id, guest.id)) throw connectionAlreadyExists();
  const accepted = token === null ? matchedInvitation(invitation) : presentedInvitation(invitation, host.id, now);

  let connection: Connection;
  try {
    connection = await insertConnection(trx, {
      host_organization_id: host.id,
      guest_organization_id: guest.id,
      status: 'connected',
      invitation_id: accepted.id,
      parent_organization_id: accepted.parent_organization_id,
      created_at: now,
      updated_at: now,
    });
  } catch (error) {
    // Another request for the same pair, with another invitation, committed first.
    if (isUniqueViolation(error)) throw connectionAlreadyExists();
    throw error;
  }
  await acceptInvitation(trx, accepted.id, {
    status: token === null ? 'accepted_by_system' : 'accepted_by_guest',
    guestOrganizationId: guest.id,
    now,
  });
  return toHostConnection(connection);
}

/** The invitation a token names must be this host's, unarchived, pending and unexpired. */
function presentedInvitation(invitation: Invitation | undefined, hostOrganizationId: string, now: Date): Invitation {
  // Another host's invitation, or an archived one, is indistinguishable from none.
  if (invitation === undefined || invitation.host_organization_id !== hostOrganizationId || invitation.archived) {
    throw new ProblemError('invitation_not_found', 'No such invitation for this host.');
  }
  if (invitation.status !== 'sent') {
    throw new ProblemError('invitation_already_accepted', 'This invitation was accepted already.');
  }
  if (isExpired(invitation.expired_at, now)) {
    throw new ProblemError('invitation_expired', `This invitation expired on ${timestamp(invitation.expired_at)}.`);
  }
  return invitation;
}

function matchedInvitation(invitation: Invitation | undefined): Invitation {
  if (invitation === undefined) {
    throw new ProblemError(
      'no_matching_invitation',
      "The host has no pending invitation for this organization's e-mail addresses.",
    );
  }
  return invitation;
}

function connectionAlreadyExists(): ProblemError {
  return new ProblemError(
    'connection_already_exists',
    'A connection with this host exists already; reconnect with PATCH.',
  );
}

export async function getHostConnection(
  db: Kysely<Database>,
  guestOrganizationId: string,
  hostOrganizationId: string,
): Promise<HostConnection> {
  const row = await findConnection(db, hostConnections, guestOrganizationId, hostOrganizationId);
  if (row === undefined) throw hostConnectionNotFound();
  return toHostConnection(row);
}

/** GET /host-connections: the guest's hosts. */
export async function listHostConnections(
  db: Kysely<Database>,
  guestOrganizationId: string,
  query: ValidatedQuery<'listHostConnections'>,
): Promise<components['schemas']['HostConnectionList']> {
  const { rows, total } = await listConnections(db, hostConnections, guestOrganizationId, query);
  return { items: rows.map(toHostConnection), total_items: total };
}

/**
 * The guest reconnects, disconnects or archives (its own flag). `archived_at` is kept when
 * already archived; `updated_at` moves only when something changes.
 */
export async function updateHostConnection(
  db: Kysely<Database>,
  guestOrganizationId: string,
  hostOrganizationId: string,
  request: components['schemas']['UpdateHostConnectionRequest'],
  now: Date = new Date(),
): Promise<HostConnection> {
  return db.transaction().execute(async (trx) => {
    const current = await lockConnection(trx, hostOrganizationId, guestOrganizationId);
    if (current === undefined) throw hostConnectionNotFound();
    const changes: Partial<Connection> = {};
    if (request.status !== undefined && request.status !== current.status) changes.status = request.status;
    if (request.archived !== undefined && request.archived !== current.guest_archived) {
      changes.guest_archived = request.archived;
      changes.guest_archived_at = request.archived ? now : null;
    }
    if (Object.keys(changes).length > 0) {
      await updateConnection(trx, current.host_organization_id, current.guest_organization_id, { ...changes, updated_at: now });
    }
    const row = await findConnection(trx, hostConnections, guestOrganizationId, hostOrganizationId);
    if (row === undefined) throw hostConnectionNotFound();
    return toHostConnection(row);
  });
}

export function hostConnectionNotFound(): ProblemError {
  return new ProblemError('host_connection_not_found', 'No connection with this host.');
}
