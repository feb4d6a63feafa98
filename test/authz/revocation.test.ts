// Revoking an API client stops its tokens although every process remembers active clients:
// however the client is revoked (the admin command or plain SQL), at once on the embedded
// database, and on PostgreSQL in every process that shares it within a stated bound.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { revokeClient } from '../../server/domain/admin.js';
import { openDatabase } from '../../server/store/database.js';
import { createTestApp, TEST_JWT_SECRET } from '../support/app.js';
import { engines } from '../support/database.js';

/** How long a revocation may take to reach another process on PostgreSQL: one notification. */
const PROPAGATION_BOUND_MS = 1000;

async function statusWithin(
  bound: number,
  request: () => Response | Promise<Response>,
): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  for (;;) {
    const { status } = await request();
    const ms = performance.now() - started;
    if (status !== 200 || ms > bound) return { status, ms };
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each(engines)('revocation on %s', (engine) => {
  it('stops a token that was just accepted: at once through the admin command, and when revoked by plain SQL', async () => {
    const t = await createTestApp(engine);
    const accepted = async () => {
      const org = await t.newOrganization();
      const read = () => t.request(`/v1/organizations/${org.organization_id}`, { headers: org.headers() });
      expect((await read()).status).toBe(200);
      expect((await read()).status).toBe(200); // now from memory
      return { org, read };
    };

    const byAdmin = await accepted();
    await revokeClient(t.store, byAdmin.org.client_id);
    expect((await byAdmin.read()).status).toBe(401);

    // Plain SQL reaches the cache through the database's notification: exact on the embedded
    // database (one process, notified before the statement returns), within the bound on PostgreSQL.
    const bySql = await accepted();
    await sql`update api_clients set revoked_at = now() where client_id = ${bySql.org.client_id}`.execute(t.store.db);
    if (engine === 'pglite') expect((await bySql.read()).status).toBe(401);
    else expect(await statusWithin(PROPAGATION_BOUND_MS, bySql.read)).toMatchObject({ status: 401 });
  });
});

const databaseUrl = process.env.TEST_DATABASE_URL;
describe.skipIf(!databaseUrl)(
  `revocation across processes on PostgreSQL${databaseUrl ? '' : ' (skipped: TEST_DATABASE_URL is not set)'}`,
  () => {
    it(`reaches another process sharing the database within ${PROPAGATION_BOUND_MS} ms`, async () => {
      const t = await createTestApp('postgres');
      const other = await openDatabase({ databaseUrl, dataDir: '' });
      try {
        const otherApp = createApp({
          store: other,
          jwtSecret: TEST_JWT_SECRET,
          validateResponses: true,
          log: () => {},
        });
        const org = await t.newOrganization();
        const read = () => otherApp.request(`/v1/organizations/${org.organization_id}`, { headers: org.headers() });
        // The other process's listener connects in the background: once it does, it caches.
        expect((await read()).status).toBe(200);
        expect((await read()).status).toBe(200);
        await revokeClient(t.store, org.client_id);
        const answer = await statusWithin(PROPAGATION_BOUND_MS, read);
        console.log(`revocation reached the other process in ${answer.ms.toFixed(1)} ms`);
        expect(answer.status).toBe(401);
      } finally {
        await other.close();
      }
    });
  },
);
