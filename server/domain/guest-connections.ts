// The host's side: its view of the guests connected to it.
import type { Kysely } from 'kysely';
import type { components } from '../../generated/openapi.js';
import type { ValidatedQuery } from '../contract/inputs.js';
import { guestConnections } from '../store/connection-sides.js';
import { findConnection, listConnections, lockConnection, updateConnection } from '../store/connections.js';
import type { Database } from '../store/schema.js';
import { toGuestConnection } from './mappers.js';
import { ProblemError } from './problems.js';

type GuestConnection = components['schemas']['GuestConnection'];

export async function getGuestConnection(
  db: Kysely<Database>,
  hostOrganizationId: string,
  guestOrganizationId: string,
): Promise<GuestConnection> {
  const row = await findConnection(db, guestConnections, hostOrganizationId, guestOrganizationId);
  if (row === undefined) throw guestConnectionNotFound();
  return toGuestConnection(row);
}

/** GET /guest-connections: the host's guests. */
export async function listGuestConnections(
  db: Kysely<Database>,
  hostOrganizationId: string,
  query: ValidatedQuery<'listGuestConnections'>,
): Promise<components['schemas']['GuestConnectionList']> {
  const { rows, total } = await listConnections(db, guestConnections, hostOrganizationId, query);
  return { items: rows.map(toGuestConnection), total_items: total };
}

/**
 * The host archives or unarchives the connection in its own list; the guest's flag is
 * untouched. `archived_at` is kept when already archived; `updated_at` moves only on a change.
 */
export async function updateGuestConnection(
  db: Kysely<Database>,
  hostOrganizationId: string,
  guestOrganizationId: string,
  request: components['schemas']['UpdateGuestConnectionRequest'],
  now: Date = new Date(),
): Promise<GuestConnection> {
  return db.transaction().execute(async (trx) => {
    const current = await lockConnection(trx, hostOrganizationId, guestOrganizationId);
    if (current === undefined) throw guestConnectionNotFound();
    if (request.archived !== current.host_archived) {
      await updateConnection(trx, current.host_organization_id, current.guest_organization_id, {
        host_archived: request.archived,
        host_archived_at: request.archived ? now : null,
        updated_at: now,
      });
    }
    const row = await findConnection(trx, guestConnections, hostOrganizationId, guestOrganizationId);
    if (row === undefined) throw guestConnectionNotFound();
    return toGuestConnection(row);
  });
}

export function guestConnectionNotFound(): ProblemError {
  return new ProblemError('guest_connection_not_found', 'No connection with this guest.');
}
