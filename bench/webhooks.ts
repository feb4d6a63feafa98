// `--mode webhooks [--engine pglite|postgres] [--seconds 10]`: the write rate of changes that
// make webhook events (a host asks its guest for something, the guest resolves it: one event to
// each), and the events the dispatcher delivers a second to a receiver on loopback beside it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGuestConnectionAction, resolveHostConnectionAction } from '../server/domain/connection-actions.js';
import { createWebhookEndpoint } from '../server/domain/webhook-endpoints.js';
import { blockListOf } from '../server/domain/webhook-addresses.js';
import { openDatabase, openMemoryDatabase } from '../server/store/database.js';
import { insertOrganization } from '../server/store/organizations.js';
import { asGuest, asHost } from '../server/store/pair.js';
import { startDispatcher } from '../server/webhooks/run.js';
import { postgresDatabase } from './data.js';
import { registerCleanup, sleep } from './processes.js';
import { table } from './report.js';

export async function webhookRates(o: { engine: 'pglite' | 'postgres'; seconds: number; databaseUrl: string }) {
  let received = 0;
  const receiver = createServer((request, response) =>
    request.resume().on('end', () => {
      received++;
      response.writeHead(204).end();
    }),
  );
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  registerCleanup(async () => void receiver.close());
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
  // A scratch database of its own on PostgreSQL (migrated; dropped at the end), or one in memory.
  const store =
    o.engine === 'pglite'
      ? await openMemoryDatabase()
      : await openDatabase({ databaseUrl: (await postgresDatabase(o.databaseUrl, {})).url, dataDir: '' });
  const organization = (name: string) =>
    insertOrganization(store.db, { name, email: `${name}@bench.test`, owner_email: `owner-${name}@bench.test` });
  const [host, guest] = await Promise.all([organization('host'), organization('guest')]);
  const pair = { host: asHost(host.id), guest: asGuest(guest.id) };
  const [status, created_at] = ['connected' as const, new Date()];
  const connection = { host_organization_id: host.id, guest_organization_id: guest.id, status, created_at };
  await store.db.insertInto('connections').values(connection).execute();
  const policy = { allowedNetworks: blockListOf(['127.0.0.0/8']), resolve: async () => ['127.0.0.1'] };
  await createWebhookEndpoint(store.db, policy, host.id, { url, event_types: ['connection_action.resolved'] });
  await createWebhookEndpoint(store.db, policy, guest.id, { url, event_types: ['connection_action.created'] });
  const dispatcher = await startDispatcher(store, { allowedNetworks: ['127.0.0.0/8'] }, () => {});
  registerCleanup(() => dispatcher.stop().then(() => store.close()));

  const started = performance.now();
  let writes = 0;
  while (performance.now() - started < o.seconds * 1000) {
    const action = await createGuestConnectionAction(store.db, pair, 'analytics_request');
    await resolveHostConnectionAction(store.db, pair, action.id);
    writes += 2;
  }
  const written = (performance.now() - started) / 1000;
  while (received < writes && performance.now() - started < (o.seconds + 60) * 1000) await sleep(20);
  const delivered = (performance.now() - started) / 1000;
  const row = [o.engine, (writes / written).toFixed(0), (received / delivered).toFixed(0), `${received} of ${writes}`];
  console.log(table(['engine', 'writes/s (each one event)', 'events delivered/s', 'delivered'], [row], 1));
}
