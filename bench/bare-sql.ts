// The statements the server runs for each workload, word for word as its store sends them
// today (captured with bench/statements.ts). The bare handlers run exactly these, so their
// rate is the database's ceiling for that workload. When the server's SQL changes, the
// statements-per-request column shows the two apart; update these to match.

/** The revocation check of every authenticated request. */
export const activeClient = `select * from "api_clients" where "client_id" = $1 and "revoked_at" is null`;

const hostConnections =
  `from "connections" as "c" inner join "organizations" as "host" on "host"."id" = "c"."host_organization_id" ` +
  `where "c"."guest_organization_id" = $1`;
const hostColumns = `"c".*, "host"."name" as "host_name", "host"."email" as "host_email", "host"."owner_email" as "host_owner_email"`;

/** GET /host-connections/{host_org_id}: $1 the guest (caller), $2 the host. */
export const hostConnection = `select ${hostColumns} ${hostConnections} and "c"."host_organization_id" = $2`;

/** GET /host-connections, default order: $1 the guest, $2 one status, $3 limit, $4 offset. */
export const hostConnectionPage =
  `select ${hostColumns} ${hostConnections} and "c"."status" in ($2) ` +
  `order by lower("host"."name") asc nulls last, "c"."host_organization_id" asc limit $3 offset $4`;
export const hostConnectionCount = `select count(*) as "total" ${hostConnections} and "c"."status" in ($2)`;

/** POST /host-connections with an invitation token, inside one transaction. */
export const createHostConnection = {
  organization: `select * from "organizations" where "id" = $1`,
  lockInvitation: `select * from "invitations" where "invitation_token" = $1 for update`,
  connectionExists: `select "status" from "connections" where "host_organization_id" = $1 and "guest_organization_id" = $2`,
  insertConnection:
    `insert into "connections" ("host_organization_id", "guest_organization_id", "status", "invitation_id", "parent_organization_id", "created_at", "updated_at") ` +
    `values ($1, $2, $3, $4, $5, $6, $7) returning *`,
  acceptInvitation:
    `update "invitations" set "status" = $1, "accepted_at" = $2, "accepted_by_organization_id" = $3, "updated_at" = $4 where "id" = $5`,
};
