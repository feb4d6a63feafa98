// The guest's side: connecting to hosts, and its view of those connections.
import type { Kysely } from 'kysely';
import type { components } from '../../generated/openapi.js';
import { connectionExists, findHostConnection, lockConnection, updateConnection } from '../store/connections.js';
import { isUniqueViolation } from '../store/errors.js';
import { insertConnectionAndAccept, readCreateContext, type CreateContext } from '../store/host-connection-create.js';
import { asHost, type GuestId, type Pair } from '../store/pair.js';
import type { Connection, Database } from '../store/schema.js';
import { enqueueEvent, guestConnectionData, invitationData } from '../store/webhook-outbox.js';
import { keyWindowStart, lockIdempotencyKey, replay, requestHash, type Idempotent } from './idempotency.js';
import { isExpired, timestamp } from './mappers.js';
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
 * as one statement each, so a success sends BEGIN, 2 or 3 statements, COMMIT; and one more per
 * webhook event the host's endpoints subscribe to (the outbox; the read tells which).
 */
export async function createHostConnection(
  db: Kysely<Database>,
  guest: GuestId,
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
    organizationId: guest,
    key: idempotencyKey,
    operationId: OPERATION_ID,
    request: normalized,
  };
  return db.transaction().execute(async (trx) => {
    if (idempotencyKey !== undefined) await lockIdempotencyKey(trx, guest, idempotencyKey);
    const context = await readCreateContext(trx, {
      pair: { host: asHost(normalized.host_organization_id), guest },
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
    if (hostId === guest) throw new ProblemError('self_connection', 'host_organization_id is the requester itself.');
    if (context.guest_id === null) throw new Error(`the authenticated organization ${guest} does not exist`);
    if (context.connected) throw connectionAlreadyExists();

    const pair: Pair = { host: asHost(hostId), guest };
    const token = normalized.invitation_token;
    const invitation = token === null ? matchedInvitation(context) : presentedInvitation(context, hostId, now);
    if (invitation instanceof ProblemError) {
      // The read may have waited for the invitation's lock while another request connected this
      // guest: its view of the connection is older than the invitation it found. Look again.
      if (await connectionExists(trx, pair)) throw connectionAlreadyExists();
      throw invitation;
    }

    let json: string;
    try {
      json = await insertConnectionAndAccept(trx, {
        pair,
        invitationId: invitation.id,
        parentOrganizationId: invitation.parentOrganizationId,
        invitationStatus: token === null ? 'accepted_by_system' : 'accepted_by_guest',
        now,
        key:
          idempotencyKey === undefined
            ? undefined
            : { key: idempotencyKey, operationId: OPERATION_ID, requestHash: hash },
      });
    } catch (error) {
      // Another request for the same pair, with another invitation, committed first.
      if (isUniqueViolation(error)) throw connectionAlreadyExists();
      throw error;
    }
    // The host hears of both in the same transaction (the outbox); the read said which it
    // subscribes to, so a host without endpoints costs no statement more.
    const subscribed = new Set(context.host_webhook_types ?? []);
    if (subscribed.has('guest_connection.created')) {
      const data = guestConnectionData(pair);
      await enqueueEvent(trx, { organizationId: hostId, type: 'guest_connection.created', data, now });
    }
    if (subscribed.has('guest_invitation.accepted')) {
      const data = invitationData(invitation.id, now);
      await enqueueEvent(trx, { organizationId: hostId, type: 'guest_invitation.accepted', data, now });
    }
    // The view's JSON as the database made it: the response, byte for byte the one stored with the key.
    return { result: JSON.parse(json) as HostConnection, json, replayed: false };
  });
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

export async function getHostConnection(db: Kysely<Database>, pair: Pair): Promise<HostConnection> {
  const connection = await findHostConnection(db, pair);
  if (connection === undefined) throw hostConnectionNotFound();
  return connection;
}

/**
 * The guest reconnects, disconnects or archives (its own flag). `archived_at` is kept when
 * already archived; `updated_at` moves only when something changes.
 */
export async function updateHostConnection(
  db: Kysely<Database>,
  pair: Pair,
  request: components['schemas']['UpdateHostConnectionRequest'],
  now: Date = new Date(),
): Promise<HostConnection> {
  return db.transaction().execute(async (trx) => {
    const current = await lockConnection(trx, pair);
    if (current === undefined) throw hostConnectionNotFound();
    const changes: Partial<Connection> = {};
    if (request.status !== undefined && request.status !== current.status) changes.status = request.status;
    if (request.archived !== undefined && request.archived !== current.guest_archived) {
      changes.guest_archived = request.archived;
      changes.guest_archived_at = request.archived ? now : null;
    }
    if (Object.keys(changes).length > 0) await updateConnection(trx, pair, { ...changes, updated_at: now });
    if (changes.status !== undefined) {
      const data = guestConnectionData(pair);
      await enqueueEvent(trx, { organizationId: pair.host, type: 'guest_connection.status_changed', data, now });
    }
    return getHostConnection(trx, pair);
  });
}

export function hostConnectionNotFound(): ProblemError {
  return new ProblemError('host_connection_not_found', 'No connection with this host.');
}
