// The guest's side: connecting to hosts, and its view of those connections.
import type { Kysely } from 'kysely';
import type { components } from '../../generated/openapi.js';
import type { ValidatedQuery } from '../contract/inputs.js';
import { hostConnections } from '../store/connection-sides.js';
import {
  connectionExists,
  findHostConnection,
  listConnections,
  lockConnection,
  updateConnection,
} from '../store/connections.js';
import { isUniqueViolation } from '../store/errors.js';
import {
  insertConnectionAndAccept,
  readCreateContext,
  type CreateContext,
  type CreatedConnection,
} from '../store/host-connection-create.js';
import type { Connection, Database } from '../store/schema.js';
import { keyWindowStart, lockIdempotencyKey, replay, requestHash, type Idempotent } from './idempotency.js';
import { isExpired, timestamp, toHostConnection } from './mappers.js';
import { ProblemError } from './problems.js';

type HostConnection = components['schemas']['HostConnection'];

export type CreatedHostConnection = Idempotent<HostConnection>;

const OPERATION_ID = 'createHostConnection';

/**
 * POST /host-connections, in one transaction of at most three statements (BEGIN and COMMIT
 * aside), so that the idempotency check, the invitation lock, the new connection, the
 * invitation's acceptance and the stored response commit together or not at all:
 *   1. with an Idempotency-Key only: the key's lock (409 while another request holds it);
 *   2. one read: the key's stored record, both organizations, whether the pair is connected,
 *      and the invitation, locked (the row lock makes concurrent requests for it queue);
 *   3. one write: the connection, the acceptance and the key's record.
 * Concurrent requests, in any number of processes, are settled by the database: the invitation
 * lock makes them queue, and the connections primary key refuses a second row for the pair.
 * Refusing the invitation costs one more read, to say why. Everything but the key's lock runs
 * as one statement each, so a success sends BEGIN, 2 or 3 statements, COMMIT.
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
    operationId: OPERATION_ID,
    request: normalized,
  };
  return db.transaction().execute(async (trx) => {
    if (idempotencyKey !== undefined) await lockIdempotencyKey(trx, guestOrganizationId, idempotencyKey);
    const context = await readCreateContext(trx, {
      guestOrganizationId,
      hostOrganizationId: normalized.host_organization_id,
      token: normalized.invitation_token,
      key: idempotencyKey,
      keySince: keyWindowStart(now),
      now,
    });
    const hash = idempotencyKey === undefined ? '' : requestHash(normalized);
    if (context?.key_result != null) {
      const stored = {
        operation_id: context.key_operation_id ?? '',
        request_hash: context.key_request_hash ?? '',
        result: context.key_result,
      };
      return replay<HostConnection>(stored, scope, hash);
    }
    const hostId = context?.host_id;
    if (context === undefined || hostId == null)
      throw new ProblemError('organization_not_found', 'No such organization.');
    if (hostId === guestOrganizationId)
      throw new ProblemError('self_connection', 'host_organization_id is the requester itself.');
    if (context.guest_id === null)
      throw new Error(`the authenticated organization ${guestOrganizationId} does not exist`);
    if (context.connected) throw connectionAlreadyExists();

    const token = normalized.invitation_token;
    const invitation = token === null ? matchedInvitation(context) : presentedInvitation(context, hostId, now);
    if (invitation instanceof ProblemError) {
      // The read may have waited for the invitation's lock while another request connected this
      // guest: its view of the connection is older than the invitation it found. Look again.
      if (await connectionExists(trx, hostId, guestOrganizationId)) throw connectionAlreadyExists();
      throw invitation;
    }

    // The response is known before the row is written: everything in it is the request's, the
    // host's or `now`. It is stored with the row, then checked against what the row holds.
    const result = toHostConnection(withHost(createdConnection(hostId, guestOrganizationId, now), context));
    const json = JSON.stringify(result);
    let connection: CreatedConnection;
    try {
      connection = await insertConnectionAndAccept(trx, {
        hostOrganizationId: hostId,
        guestOrganizationId,
        invitationId: invitation.id,
        parentOrganizationId: invitation.parentOrganizationId,
        invitationStatus: token === null ? 'accepted_by_system' : 'accepted_by_guest',
        now,
        key:
          idempotencyKey === undefined
            ? undefined
            : { key: idempotencyKey, operationId: OPERATION_ID, requestHash: hash, result: json },
      });
    } catch (error) {
      // Another request for the same pair, with another invitation, committed first.
      if (isUniqueViolation(error)) throw connectionAlreadyExists();
      throw error;
    }
    if (JSON.stringify(toHostConnection(withHost(connection, context))) !== json) {
      throw new Error(`the new connection ${hostId} → ${guestOrganizationId} is not the response made for it`);
    }
    return { result, json, replayed: false };
  });
}

/** The row a new connection becomes: the columns' defaults, and `now`. */
function createdConnection(hostId: string, guestId: string, now: Date): CreatedConnection {
  return {
    host_organization_id: hostId,
    guest_organization_id: guestId,
    status: 'connected',
    guest_archived: false,
    guest_archived_at: null,
    active_action_type: null,
    active_action_updated_at: null,
    created_at: now,
    updated_at: now,
  };
}

type Accepted = { id: string; parentOrganizationId: string | null };

/** The invitation a token names must be this host's, unarchived, pending and unexpired; else the problem to answer. */
function presentedInvitation(found: CreateContext, hostOrganizationId: string, now: Date): Accepted | ProblemError {
  const { invitation_id: id, invitation_expired_at: expiredAt } = found;
  // Another host's invitation, or an archived one, is indistinguishable from none.
  if (
    id === null ||
    found.invitation_host_organization_id !== hostOrganizationId ||
    found.invitation_archived === true
  ) {
    return new ProblemError('invitation_not_found', 'No such invitation for this host.');
  }
  if (found.invitation_status !== 'sent') {
    return new ProblemError('invitation_already_accepted', 'This invitation was accepted already.');
  }
  // expired_at is never null in a row (the column is not null).
  if (expiredAt !== null && isExpired(expiredAt, now)) {
    return new ProblemError('invitation_expired', `This invitation expired on ${timestamp(expiredAt)}.`);
  }
  return { id, parentOrganizationId: found.invitation_parent_organization_id };
}

/** The pending invitation found by e-mail, or the problem to answer when there is none. */
function matchedInvitation(found: CreateContext): Accepted | ProblemError {
  if (found.invitation_id === null) {
    return new ProblemError(
      'no_matching_invitation',
      "The host has no pending invitation for this organization's e-mail addresses.",
    );
  }
  // E-mail addresses are neither unique nor verified: the invitation may be meant for the other.
  if (found.invitation_email_shared === true) {
    return new ProblemError(
      'invitation_token_required',
      "The host's invitation is addressed to an e-mail of another organization as well; send its invitation_token.",
    );
  }
  return { id: found.invitation_id, parentOrganizationId: found.invitation_parent_organization_id };
}

function connectionAlreadyExists(): ProblemError {
  return new ProblemError(
    'connection_already_exists',
    'A connection with this host exists already; reconnect with PATCH.',
  );
}

function withHost(connection: CreatedConnection, host: CreateContext) {
  return {
    ...connection,
    host_name: host.host_name ?? '',
    host_email: host.host_email ?? '',
    host_owner_email: host.host_owner_email ?? '',
  };
}

export async function getHostConnection(
  db: Kysely<Database>,
  guestOrganizationId: string,
  hostOrganizationId: string,
): Promise<HostConnection> {
  const row = await findHostConnection(db, guestOrganizationId, hostOrganizationId);
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
      await updateConnection(trx, current.host_organization_id, current.guest_organization_id, {
        ...changes,
        updated_at: now,
      });
    }
    const row = await findHostConnection(trx, guestOrganizationId, hostOrganizationId);
    if (row === undefined) throw hostConnectionNotFound();
    return toHostConnection(row);
  });
}

export function hostConnectionNotFound(): ProblemError {
  return new ProblemError('host_connection_not_found', 'No connection with this host.');
}
