// One connection of a pair: whether it exists, its row locked for a change, the change, and
// each side's view of it. Both views are read by prepared statements (every GET of one runs
// them), through the same declaration as every other read (server/store/views.ts).
import type { Kysely } from 'kysely';
import type { components } from '../../generated/openapi.js';
import { isUuid } from './organizations.js';
import type { Pair } from './pair.js';
import { prepared } from './prepared.js';
import type { Connection, Database } from './schema.js';
import { selectionText } from './view.js';
import { guestConnectionView, hostConnectionView } from './views.js';

type Schemas = components['schemas'];

const isPair = (pair: Pair): boolean => isUuid(pair.host) && isUuid(pair.guest);

/** Whether the pair has a connection, in either status. */
export async function connectionExists(db: Kysely<Database>, pair: Pair): Promise<boolean> {
  if (!isPair(pair)) return false;
  const row = await db
    .selectFrom('connections')
    .select('status')
    .where('host_organization_id', '=', pair.host)
    .where('guest_organization_id', '=', pair.guest)
    .executeTakeFirst();
  return row !== undefined;
}

/** The connection row, locked until the transaction ends; serializes changes to one connection. */
export async function lockConnection(trx: Kysely<Database>, pair: Pair): Promise<Connection | undefined> {
  if (!isPair(pair)) return undefined;
  return trx
    .selectFrom('connections')
    .selectAll()
    .where('host_organization_id', '=', pair.host)
    .where('guest_organization_id', '=', pair.guest)
    .forUpdate()
    .executeTakeFirst();
}

export type ConnectionChange = Partial<
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
>;

export async function updateConnection(trx: Kysely<Database>, pair: Pair, values: ConnectionChange): Promise<void> {
  await trx
    .updateTable('connections')
    .set(values)
    .where('host_organization_id', '=', pair.host)
    .where('guest_organization_id', '=', pair.guest)
    .execute();
}

const byPair = 'from connections c where c.host_organization_id = $1 and c.guest_organization_id = $2';
export const hostConnectionByPair = prepared<Schemas['HostConnection'], [host: string, guest: string]>(
  'host_connection',
  `select ${selectionText(hostConnectionView, 'c')} ${byPair}`,
);
const guestConnectionByPair = prepared<Schemas['GuestConnection'], [host: string, guest: string]>(
  'guest_connection',
  `select ${selectionText(guestConnectionView, 'c')} ${byPair}`,
);

/** The guest's view of the pair's connection; none when the pair is not connected in any status. */
export async function findHostConnection(
  db: Kysely<Database>,
  pair: Pair,
): Promise<Schemas['HostConnection'] | undefined> {
  return isPair(pair) ? hostConnectionByPair.first(db, pair.host, pair.guest) : undefined;
}

/** The host's view of the pair's connection; none when the pair is not connected in any status. */
export async function findGuestConnection(
  db: Kysely<Database>,
  pair: Pair,
): Promise<Schemas['GuestConnection'] | undefined> {
  return isPair(pair) ? guestConnectionByPair.first(db, pair.host, pair.guest) : undefined;
}

// Asked by every secured request whose requester is not its target: a prepared statement.
const connectedPairs = prepared<{ host_organization_id: string }, [requester: string, target: string]>(
  'connected_roles',
  `select host_organization_id from connections
   where status = 'connected'
     and ((host_organization_id = $1 and guest_organization_id = $2) or (host_organization_id = $2 and guest_organization_id = $1))`,
);

/**
 * The roles `requester` holds towards `target` through *connected* connections. Both can be
 * true: A may host B while B hosts A. Ids are compared as uuids, so their case does not matter.
 */
export async function connectedRoles(
  db: Kysely<Database>,
  requester: string,
  target: string,
): Promise<{ host: boolean; guest: boolean }> {
  if (!isUuid(requester) || !isUuid(target)) return { host: false, guest: false };
  const { rows } = await connectedPairs.execute(db, requester, target);
  const requesterId = requester.toLowerCase();
  return {
    host: rows.some((row) => row.host_organization_id === requesterId),
    guest: rows.some((row) => row.host_organization_id !== requesterId),
  };
}
