// The ceilings, each run as its own process: `bare-server.ts constant` is Hono answering a constant
// (the framework's ceiling); `bare-server.ts sql` runs the statements the server runs for each workload (captured
// with the statement counter), on the database the server's own config names, with no
// validation, authentication, query building, logging or response mapping (the database's
// ceiling). The statements are the store's own (the same named prepared statements, the list as
// the store builds it); the statements-per-request column shows whether the two still agree.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { CompiledQuery, type Kysely } from 'kysely';
import { loadDatabaseConfig } from '../server/config.js';
import { activeClientOrganization } from '../server/store/clients.js';
import { listQueries } from '../server/store/connection-lists.js';
import { hostConnections } from '../server/store/connection-sides.js';
import { hostConnectionByPair } from '../server/store/connections.js';
import { openDatabase } from '../server/store/database.js';
import { connectStatement, contextByToken } from '../server/store/host-connection-create.js';
import { asGuest } from '../server/store/pair.js';
import { runShaped } from '../server/store/prepared.js';
import type { Database } from '../server/store/schema.js';

const lists = new Map<string, CompiledQuery[]>();
/** GET /host-connections?statuses=connected with the contract's defaults: its page and count as the store builds them, once. */
function hostConnectionList(db: Kysely<Database>, guest: string): CompiledQuery[] {
  const query = { search_field: 'host_name', order_by: 'host_name', order_dir: 'asc', limit: 50, offset: 0 } as const;
  if (!lists.has(guest)) {
    const { page, count } = listQueries(db, hostConnections, asGuest(guest), { ...query, statuses: ['connected'] });
    lists.set(guest, [page.compile(), count.compile()]);
  }
  return lists.get(guest) ?? [];
}

const app = new Hono();
const mode = process.argv[2];

/** The token's client, read without checking the signature: the revocation query still runs. */
function clientOf(authorization: string | undefined): string {
  const payload = authorization?.split('.')[1] ?? '';
  return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub: string }).sub;
}

const rows = async <Row = unknown>(db: Kysely<Database>, sql: string, params: unknown[]): Promise<Row[]> =>
  (await db.executeQuery<Row>(CompiledQuery.raw(sql, params))).rows;
type Context = { invitation_id: string | null; invitation_parent_organization_id: string | null };

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
    const list = hostConnectionList(db, c.req.header('requester-organization-id') ?? '');
    // Prepared and planned generically, as the server runs a list (runShaped).
    const [items, counts] = await Promise.all(list.map((query) => runShaped(db, { compile: () => query })));
    const [count] = (counts ?? []) as { total: string }[];
    return c.json({ items, total_items: Number(count?.total) });
  });

  // POST /host-connections with an invitation token: BEGIN, the context (organizations,
  // connection, invitation locked), the connection and the acceptance, COMMIT.
  app.post('/v1/host-connections', async (c) => {
    await rows(db, activeClientOrganization.sql, [clientOf(c.req.header('authorization'))]);
    const guest = c.req.header('requester-organization-id');
    const body = await c.req.json<{ host_organization_id: string; invitation_token: string }>();
    const { host_organization_id: host, invitation_token: token } = body;
    const connection = await db.transaction().execute(async (trx) => {
      const now = new Date();
      const since = new Date(now.getTime() - 24 * 60 * 60 * 1000);
      const [context] = await rows<Context>(trx, contextByToken.sql, [guest, host, null, since, token]);
      const parent = context?.invitation_parent_organization_id;
      const values = [host, guest, context?.invitation_id, parent, now, 'accepted_by_guest'];
      return (await rows<{ json: string }>(trx, connectStatement.sql, values))[0];
    });
    // The statement returns the guest's view as the JSON text the server sends.
    return c.body(connection?.json ?? '', 201, { 'Content-Type': 'application/json' });
  });
  return () => store.close();
}

if (mode !== 'sql' && mode !== 'constant') throw new Error(`the mode must be constant or sql, not ${mode}`);
const close = mode === 'sql' ? await serveStatements() : async () => {};
if (mode === 'constant') app.get('*', (c) => c.json({ status: 'ok' }));

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: process.env.HOST ?? '127.0.0.1' });
process.on('SIGTERM', () => {
  server.close(() => void close().finally(() => process.exit(0)));
  if ('closeIdleConnections' in server) server.closeIdleConnections();
});
