import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * The roles `requester` holds towards `target` through *connected* connections. Both can be
 * true: A may host B while B hosts A. Ids are compared as uuids, so their case does not matter.
 */
export async function connectedRoles(
  db: Kysely<Database>,
  requester: string,
  target: string,
): Promise<{ host: boolean; guest: boolean }> {
  const rows = await db
    .selectFrom('connections')
    .select(['host_organization_id'])
    .where('status', '=', 'connected')
    .where((eb) =>
      eb.or([
        eb.and([eb('host_organization_id', '=', requester), eb('guest_organization_id', '=', target)]),
        eb.and([eb('host_organization_id', '=', target), eb('guest_organization_id', '=', requester)]),
      ]),
    )
    .execute();
  const requesterId = requester.toLowerCase();
  return {
    host: rows.some((row) => row.host_organization_id === requesterId),
    guest: rows.some((row) => row.host_organization_id !== requesterId),
  };
}
