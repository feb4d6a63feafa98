// The statements the server runs for each workload, as its store sends them today (captured
// with bench/statements.ts). The bare handlers run exactly these, so their rate is the
// database's ceiling for that workload. When the server's SQL changes, the statements-per-request
// column shows the two apart; update these to match. The hot statements are the server's own
// (server/store/prepared.ts): the same text, so the same named prepared statements on both engines.
import { activeClientOrganization } from '../server/store/clients.js';
import { hostConnectionById } from '../server/store/connections.js';
import { connectStatement, contextByToken } from '../server/store/host-connection-create.js';

/** The revocation check of an authenticated request whose API client is not cached (every POST guest is new). */
export const activeClient = activeClientOrganization.sql;

const hostConnections =
  `from "connections" as "c" inner join "organizations" as "host" on "host"."id" = "c"."host_organization_id" ` +
  `where "c"."guest_organization_id" = $1`;
const hostColumns = `"c".*, "host"."name" as "host_name", "host"."email" as "host_email", "host"."owner_email" as "host_owner_email"`;

/** GET /host-connections/{host_org_id}: $1 the guest (caller), $2 the host. Its client is cached: no revocation check. */
export const hostConnection = hostConnectionById.sql;

/** GET /host-connections, default order: $1 the guest, $2 one status, $3 limit, $4 offset. */
export const hostConnectionPage =
  `select ${hostColumns} ${hostConnections} and "c"."status" in ($2) ` +
  `order by lower("host"."name") asc nulls last, "c"."host_organization_id" asc limit $3 offset $4`;
export const hostConnectionCount = `select count(*) as "total" ${hostConnections} and "c"."status" in ($2)`;

/** POST /host-connections with an invitation token, inside one transaction (BEGIN, these two, COMMIT). */
export const createHostConnection = {
  /** $1 guest, $2 host, $3 Idempotency-Key (null), $4 its window's start, $5 the token: organizations, connection, invitation locked. */
  context: contextByToken.sql,
  /** $1 host, $2 guest, $3 invitation, $4 its parent, $5 now, $6 the invitation's new status: the connection and the acceptance. */
  connect: connectStatement.sql,
};
