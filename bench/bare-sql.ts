// The statements the server runs for each workload, as its store sends them today (captured
// with bench/statements.ts). The bare handlers run exactly these, so their rate is the
// database's ceiling for that workload. When the server's SQL changes, the statements-per-request
// column shows the two apart; update these to match. The hot statements are the server's own
// (server/store/prepared.ts): the same text, so the same named prepared statements on both engines.
import { activeClientOrganization } from '../server/store/clients.js';
import { hostConnectionByPair } from '../server/store/connections.js';
import { connectStatement, contextByToken } from '../server/store/host-connection-create.js';

/** The revocation check of an authenticated request whose API client is not cached (every POST guest is new). */
export const activeClient = activeClientOrganization.sql;

/** GET /host-connections/{host_org_id}: $1 the host, $2 the guest (caller). Its client is cached: no revocation check. */
export const hostConnection = hostConnectionByPair.sql;

/** One index range of the default order (the guest's archive flag fixed): the host's id and the key, offset + limit of them. */
const hostRange = (n: number, range: number): string =>
  `select * from (select "host_organization_id" as "counterpart", lower("host_name") as "list_key" from "connections" ` +
  `where "guest_organization_id" = $${n} and "status" in ($${n + 1}) and "guest_archived" = $${n + 2} ` +
  `order by lower("host_name") asc, "host_organization_id" asc limit $${n + 3}) as "range${range}"`;

/**
 * GET /host-connections, default order, both archive flags: $1 the guest, $2 one status,
 * $3 false, $4 offset + limit, $5–$8 the same with $7 true, $9 limit, $10 offset, then each
 * row of the page by primary key: $11 the guest, $12 1.
 */
export const hostConnectionPage =
  `select "c".*, (select "parent"."name" from "organizations" as "parent" where "parent"."id" = "c"."parent_organization_id") as "parent_organization_name" ` +
  `from (select * from (${hostRange(1, 0)} union all ${hostRange(5, 1)}) as "merged" ` +
  `order by "list_key" asc, "counterpart" asc limit $9 offset $10) as "page" ` +
  `cross join lateral (select * from "connections" where "guest_organization_id" = $11 and "host_organization_id" = "page"."counterpart" limit $12) as "c" ` +
  `order by "page"."list_key" asc, "page"."counterpart" asc`;

/** Its total_items, from the counts the database keeps: $1 the guest, $2 'guest' (its role), $3 one status. */
export const hostConnectionCount = `select coalesce(sum(n), 0) as "total" from "connection_counts" where "organization_id" = $1 and "role" = $2 and "status" in ($3)`;

/** POST /host-connections with an invitation token, inside one transaction (BEGIN, these two, COMMIT). */
export const createHostConnection = {
  /** $1 guest, $2 host, $3 Idempotency-Key (null), $4 its window's start, $5 the token: organizations, connection, invitation locked. */
  context: contextByToken.sql,
  /** $1 host, $2 guest, $3 invitation, $4 its parent, $5 now, $6 the invitation's new status: the connection and the acceptance. */
  connect: connectStatement.sql,
};
