// Two dispatchers on one PostgreSQL database share the work and never send one attempt twice:
// `for update skip locked` hands each due delivery to one claim.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../server/store/database.js';
import { createWebhookEndpoint } from '../../server/domain/webhook-endpoints.js';
import { DELIVERIES_CHANNEL, enqueueEvent, objectData } from '../../server/store/webhook-outbox.js';
import { createDispatcher } from '../../server/webhooks/dispatcher.js';
import { insertTestOrganization } from '../support/database.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-database.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { loopbackPolicy } from './receiver.js';

const serverUrl = process.env.TEST_DATABASE_URL;
const EVENTS = 60;

describe.skipIf(!serverUrl)(
  `two webhook dispatchers on PostgreSQL${serverUrl ? '' : ' (skipped: TEST_DATABASE_URL is not set)'}`,
  () => {
    let scratch: ScratchDatabase | undefined;

    beforeAll(async () => {
      // A database of its own: the dispatchers claim every due delivery there is.
      scratch = await createScratchDatabase(serverUrl ?? '', 'connections_webhooks');
    });

    afterAll(async () => {
      await scratch?.drop();
    });

    it('send each attempt once between them', async () => {
      const store = await (scratch as ScratchDatabase).store();
      const org = await insertTestOrganization(store.db);
      await createWebhookEndpoint(store.db, loopbackPolicy, org.id, {
        url: 'https://hooks.example.test/in',
        event_types: ['connection_action.created'],
      });
      const now = new Date();
      for (let i = 0; i < EVENTS; i++) {
        await store.db.transaction().execute((trx) =>
          enqueueEvent(trx, {
            organizationId: org.id,
            type: 'connection_action.created',
            data: objectData({ i }),
            now,
          }),
        );
      }
      const sent: { id: string; by: number }[] = [];
      const dispatchers = [0, 1].map((by) =>
        createDispatcher({
          db: store.db,
          batchSize: 5,
          send: async (outgoing) => {
            sent.push({ id: outgoing.headers['webhook-id'] ?? '', by });
            // Attempts overlap, so the two claim while the other's attempts are in flight.
            await new Promise((resolve) => setTimeout(resolve, 5));
            return { status: 200, body: '', retryAfter: undefined };
          },
        }),
      );
      const drain = async (dispatcher: (typeof dispatchers)[number]) => {
        while ((await dispatcher.runOnce()) > 0) {}
      };
      await Promise.all(dispatchers.map(drain));
      expect(sent).toHaveLength(EVENTS);
      expect(new Set(sent.map((entry) => entry.id)).size).toBe(EVENTS);
      // Both took part.
      expect(new Set(sent.map((entry) => entry.by)).size).toBe(2);
    });

    it('keeps going through a database outage, and sends once the database is back', async () => {
      const scratchDb = scratch as ScratchDatabase;
      const direct = await scratchDb.store();
      const url = new URL(scratchDb.url);
      const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
      url.port = String(proxy.port);
      const proxied = await openDatabase({ databaseUrl: url.toString(), dataDir: '', acquireTimeoutMs: 300 });
      const org = await insertTestOrganization(direct.db);
      await createWebhookEndpoint(direct.db, loopbackPolicy, org.id, {
        url: `https://hooks.example.test/${org.id}`,
        event_types: ['connection_action.created'],
      });
      const failures: unknown[] = [];
      const sent: string[] = [];
      const dispatcher = createDispatcher({
        db: proxied.db,
        pollMs: 50,
        log: (line) => failures.push(line),
        send: async (outgoing) => {
          sent.push(outgoing.url);
          return { status: 200, body: '', retryAfter: undefined };
        },
      });
      try {
        await proxy.cut();
        dispatcher.start();
        await direct.db.transaction().execute((trx) =>
          enqueueEvent(trx, {
            organizationId: org.id,
            type: 'connection_action.created',
            data: objectData({}),
            now: new Date(),
          }),
        );
        await vi.waitFor(() => expect(failures.length).toBeGreaterThan(1), { timeout: 5000 });
        expect(sent).toEqual([]);
        await proxy.restore();
        await vi.waitFor(() => expect(sent).toEqual([`https://hooks.example.test/${org.id}`]), { timeout: 5000 });
      } finally {
        await dispatcher.stop();
        await proxied.close();
        await proxy.close();
      }
    });

    it('wakes a listener in another connection when a change that made deliveries commits, not before', async () => {
      const store = await (scratch as ScratchDatabase).store();
      const org = await insertTestOrganization(store.db);
      await createWebhookEndpoint(store.db, loopbackPolicy, org.id, {
        url: 'https://hooks.example.test/in',
        event_types: ['guest_connection.created'],
      });
      let woken = 0;
      let wake: () => void = () => {};
      const notified = new Promise<void>((resolve) => (wake = resolve));
      const unlisten = await store.listen(DELIVERIES_CHANNEL, () => {
        woken++;
        wake();
      });
      // LISTEN runs on a connection of its own: give it a moment to be in place.
      await new Promise((resolve) => setTimeout(resolve, 200));
      await store.db.transaction().execute(async (trx) => {
        await enqueueEvent(trx, {
          organizationId: org.id,
          type: 'guest_connection.created',
          data: objectData({}),
          now: new Date(),
        });
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(woken).toBe(0);
      });
      await notified;
      await unlisten();
      expect(woken).toBe(1);
    });
  },
);
