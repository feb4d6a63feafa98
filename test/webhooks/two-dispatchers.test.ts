// Two dispatchers on one PostgreSQL database share the work and never send one attempt twice:
// `for update skip locked` hands each due delivery to one claim.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookEndpoint } from '../../server/domain/webhook-endpoints.js';
import { DELIVERIES_CHANNEL, enqueueEvent, objectData } from '../../server/store/webhook-outbox.js';
import { createDispatcher } from '../../server/webhooks/dispatcher.js';
import { insertTestOrganization } from '../support/database.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-database.js';
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
