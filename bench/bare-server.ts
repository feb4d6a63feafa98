// The ceilings, each run as its own process: `BARE=constant` is Hono answering a constant (the
// framework's ceiling); `BARE=sql` runs the statements the server runs for each workload (captured
// with the statement counter), on the database the server's own config names, with no
// validation, authentication, query building, logging or response mapping (the database's
// ceiling). The hot statements are the store's own (the same named prepared statements); when
// the server's SQL changes, the statements-per-request column shows the two apart: update these.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { CompiledQuery, type Kysely } from 'kysely';
import { loadDatabaseConfig } from '../server/config.js';
import { activeClientOrganization } from '../server/store/clients.js';
import { hostConnectionByPair } from '../server/store/connections.js';
import { openDatabase } from '../server/store/database.js';
import { connectStatement, contextByToken } from '../server/store/host-connection-create.js';
import type { Database } from '../server/store/schema.js';

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
const hostConnectionPage =
  `select "c".*, (select "parent"."name" from "organizations" as "parent" where "parent"."id" = "c"."parent_organization_id") as "parent_organization_name" ` +
  `from (select * from (${hostRange(1, 0)} union all ${hostRange(5, 1)}) as "merged" ` +
  `order by "list_key" asc, "counterpart" asc limit $9 offset $10) as "page" ` +
  `cross join lateral (select * from "connections" where "guest_organization_id" = $11 and "host_organization_id" = "page"."counterpart" limit $12) as "c" ` +
  `order by "page"."list_key" asc, "page"."counterpart" asc`;

/** Its total_items, from the counts the database keeps: $1 the guest, $2 'guest' (its role), $3 one status. */
const hostConnectionCount = `select coalesce(sum(n), 0) as "total" from "connection_counts" where "organization_id" = $1 and "role" = $2 and "status" in ($3)`;

const app = new Hono();
const mode = process.env.BARE;

/** The token's client, read without checking the signature: the revocation query still runs. */
function clientOf(authorization: string | undefined): string {
  const payload = authorization?.split('.')[1] ?? '';
  return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub: string }).sub;
}

const rows = async (db: Kysely<Database>, sql: string, params: unknown[]): Promise<unknown[]> =>
  (await db.executeQuery(CompiledQuery.raw(sql, params))).rows;

async function serveStatements(): Promise<() => Promise<void>> {
  const store = await openDatabase(loadDatabaseConfig());
  const { db } = store;
  app.get('/readyz', (c) => c.json({ status: 'ready' }));

  // GET /host-connections/{id}: $1 the host, $2 the guest (requester). Its client is cached: no revocation check.
  app.get('/v1/host-connections/:host', async (c) => {
    const guest = c.req.header('requester-organization-id');
    const [connection] = await rows(db, hostConnectionByPair.sql, [c.req.param('host'), guest]);
    return c.json(connection as object);
  });

  // The revocation check runs for an API client not cached (every POST guest is new).
  app.get('/v1/host-connections', async (c) => {
    await rows(db, activeClientOrganization.sql, [clientOf(c.req.header('authorization'))]);
    const guest = c.req.header('requester-organization-id');
    const status = c.req.query('statuses');
    const [items, [count]] = await Promise.all([
      rows(db, hostConnectionPage, [guest, status, false, 50, guest, status, true, 50, 50, 0, guest, 1]),
      rows(db, hostConnectionCount, [guest, 'guest', status]),
    ]);
    return c.json({ items, total_items: Number((count as { total: string }).total) });
  });

  // POST /host-connections with an invitation token: BEGIN, the context (organizations,
  // connection, invitation locked), the connection and the acceptance, COMMIT.
  app.post('/v1/host-connections', async (c) => {
    await rows(db, activeClientOrganization.sql, [clientOf(c.req.header('authorization'))]);
    const guest = c.req.header('requester-organization-id');
    const body = await c.req.json<{ host_organization_id: string; invitation_token: string }>();
    const connection = await db.transaction().execute(async (trx) => {
      const now = new Date();
      const since = new Date(now.getTime() - 24 * 60 * 60 * 1000);
      const [context] = (await rows(trx, contextByToken.sql, [
        guest,
        body.host_organization_id,
        null,
        since,
        body.invitation_token,
      ])) as { invitation_id: string | null; invitation_parent_organization_id: string | null }[];
      const [inserted] = await rows(trx, connectStatement.sql, [
        body.host_organization_id,
        guest,
        context?.invitation_id,
        context?.invitation_parent_organization_id,
        now,
        'accepted_by_guest',
      ]);
      return inserted;
    });
    // The statement returns the guest's view as the JSON text the server sends.
    return c.body((connection as { json: string }).json, 201, { 'Content-Type': 'application/json' });
  });
  return () => store.close();
}

if (mode !== 'sql' && mode !== 'constant') throw new Error(`BARE must be constant or sql, not ${mode}`);
const close = mode === 'sql' ? await serveStatements() : async () => {};
if (mode === 'constant') app.get('*', (c) => c.json({ status: 'ok' }));

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: process.env.HOST ?? '127.0.0.1' });
process.on('SIGTERM', () => {
  server.close(() => void close().finally(() => process.exit(0)));
  if ('closeIdleConnections' in server) server.closeIdleConnections();
});
