// The ceilings, each run as its own process: `BARE=constant` is Hono answering a constant
// (the framework's ceiling); `BARE=sql` runs the server's statements for each workload
// (bench/bare-sql.ts) on the database the server's own config names, with no validation,
// authentication, query building, logging or response mapping (the database's ceiling).
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { CompiledQuery, type Kysely } from 'kysely';
import { loadDatabaseConfig } from '../server/config.js';
import { openDatabase } from '../server/store/database.js';
import type { Database } from '../server/store/schema.js';
import * as statements from './bare-sql.js';

const app = new Hono();
const mode = process.env.BARE;

/** The token's client, read without checking the signature: the revocation query still runs. */
function clientOf(authorization: string | undefined): string {
  const payload = authorization?.split('.')[1] ?? '';
  return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub: string }).sub;
}

async function rows(db: Kysely<Database>, sql: string, params: unknown[]): Promise<unknown[]> {
  return (await db.executeQuery(CompiledQuery.raw(sql, params))).rows;
}

async function serveStatements(): Promise<() => Promise<void>> {
  const store = await openDatabase(loadDatabaseConfig());
  const { db } = store;
  app.get('/readyz', (c) => c.json({ status: 'ready' }));

  app.get('/v1/host-connections/:host', async (c) => {
    const [connection] = await rows(db, statements.hostConnection, [
      c.req.param('host'),
      c.req.header('requester-organization-id'),
    ]);
    return c.json(connection as object);
  });

  app.get('/v1/host-connections', async (c) => {
    await rows(db, statements.activeClient, [clientOf(c.req.header('authorization'))]);
    const guest = c.req.header('requester-organization-id');
    const status = c.req.query('statuses');
    const [items, [count]] = await Promise.all([
      rows(db, statements.hostConnectionPage, [guest, status, false, 50, guest, status, true, 50, 50, 0, guest, 1]),
      rows(db, statements.hostConnectionCount, [guest, 'guest', status]),
    ]);
    return c.json({ items, total_items: Number((count as { total: string }).total) });
  });

  app.post('/v1/host-connections', async (c) => {
    await rows(db, statements.activeClient, [clientOf(c.req.header('authorization'))]);
    const guestId = c.req.header('requester-organization-id');
    const body = await c.req.json<{ host_organization_id: string; invitation_token: string }>();
    const sql = statements.createHostConnection;
    const connection = await db.transaction().execute(async (trx) => {
      const now = new Date();
      const since = new Date(now.getTime() - 24 * 60 * 60 * 1000);
      const [context] = (await rows(trx, sql.context, [
        guestId,
        body.host_organization_id,
        null,
        since,
        body.invitation_token,
      ])) as {
        invitation_id: string | null;
        invitation_parent_organization_id: string | null;
      }[];
      const [inserted] = await rows(trx, sql.connect, [
        body.host_organization_id,
        guestId,
        context?.invitation_id,
        context?.invitation_parent_organization_id,
        now,
        'accepted_by_guest',
      ]);
      return inserted;
    });
    return c.json(connection as object, 201);
  });
  return () => store.close();
}

const close = mode === 'sql' ? await serveStatements() : async () => {};
if (mode === 'constant') app.get('*', (c) => c.json({ status: 'ok' }));
if (mode !== 'sql' && mode !== 'constant') throw new Error(`BARE must be constant or sql, not ${mode}`);

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: process.env.HOST ?? '127.0.0.1' });
process.on('SIGTERM', () => {
  server.close(() => void close().finally(() => process.exit(0)));
  if ('closeIdleConnections' in server) server.closeIdleConnections();
});
