import type { Kysely } from 'kysely';
import { isUuid } from './organizations.js';
import { prepared } from './prepared.js';
import type { Database } from './schema.js';

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
