// The host's side: its view of the guests connected to it.
import type { Kysely } from 'kysely';
import type { components } from '../../generated/openapi.js';
import { findGuestConnection, lockConnection, updateConnection } from '../store/connections.js';
import type { Pair } from '../store/pair.js';
import type { Database } from '../store/schema.js';
import { ProblemError } from './problems.js';

type GuestConnection = components['schemas']['GuestConnection'];

export async function getGuestConnection(db: Kysely<Database>, pair: Pair): Promise<GuestConnection> {
  const connection = await findGuestConnection(db, pair);
  if (connection === undefined) throw guestConnectionNotFound();
  return connection;
}

/**
 * The host archives or unarchives the connection in its own list; the guest's flag is
 * untouched. `archived_at` is kept when already archived; `updated_at` moves only on a change.
 */
export async function updateGuestConnection(
  db: Kysely<Database>,
  pair: Pair,
  request: components['schemas']['UpdateGuestConnectionRequest'],
  now: Date = new Date(),
): Promise<GuestConnection> {
  return db.transaction().execute(async (trx) => {
    const current = await lockConnection(trx, pair);
    if (current === undefined) throw guestConnectionNotFound();
    if (request.archived !== current.host_archived) {
      await updateConnection(trx, pair, {
        host_archived: request.archived,
        host_archived_at: request.archived ? now : null,
        updated_at: now,
      });
    }
    return getGuestConnection(trx, pair);
  });
}

export function guestConnectionNotFound(): ProblemError {
  return new ProblemError('guest_connection_not_found', 'No connection with this guest.');
}
