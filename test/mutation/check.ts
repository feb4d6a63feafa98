// Run by test/mutation/mutation.test.ts with tsx inside a mutated copy of the project (copied
// to its root as check.ts), one process for every check: the app and client of the copy,
// unchanged but for the new handlers and view entries, must follow every change of the
// contract, and the new field must come out in every answer (check-field.ts) on PGlite and, when
// MUTATION_DATABASE_URL names a scratch database, on PostgreSQL. Prints one JSON line of what it saw.
import { createConnectionsClient } from './client/index.js';
import { notesOn } from './check-field.js';
import { appOn } from './copy-app.js';
import { createOrganization } from './server/domain/admin.js';
import { openDatabase, openMemoryDatabase } from './server/store/database.js';
import { migrateToLatest } from './server/store/migrate.js';

const store = await openMemoryDatabase();
await migrateToLatest(store.db);
const app = appOn(store);
const host = await createOrganization(store.db, {
  name: 'Host',
  email: 'host@example.test',
  owner_email: 'owner@example.test',
});
const stranger = await createOrganization(store.db, {
  name: 'Stranger',
  email: 'stranger@example.test',
  owner_email: 'o@example.test',
});

const sent: Request[] = [];
const client = createConnectionsClient({
  baseUrl: 'http://api.example.test/v2',
  requesterOrganizationId: host.organization_id,
  clientId: host.client_id,
  clientSecret: host.client_secret,
  fetch: async (request) => {
    sent.push(request.clone());
    return app.fetch(request);
  },
});

const expiredAt = new Date(Date.now() + 86_400_000).toISOString();
const ids: string[] = [];
for (let i = 0; i < 21; i++) {
  const { data } = await client.POST('/guest-invitations', {
    body: { email: `guest${i}@example.test`, expired_at: expiredAt, parent_organization_id: null },
  });
  if (data === undefined) throw new Error('createGuestInvitation failed');
  ids.push(data.id);
}
const [first = ''] = ids;
const list = await client.GET('/guest-invitations', { params: { query: {} } });
const reminder = await client.POST('/guest-invitations/{invitation_id}/reminders', {
  params: { path: { invitation_id: first } },
});
const reminderRequest = sent.at(-1);
const deleted = await client.DELETE('/guest-invitations/{invitation_id}', {
  params: { path: { invitation_id: first } },
});
const health = await client.GET('/healthz');
const healthUrl = sent.at(-1)?.url;

const raw = (path: string, init: RequestInit = {}) => app.request(path, init);
const strangerHeaders = {
  'Requester-Organization-ID': host.organization_id,
  'Target-Organization-ID': stranger.organization_id,
};
const tokenOf = reminderRequest?.headers.get('authorization') ?? '';

const contract = {
  listed: list.data?.items.length,
  total: list.data?.total_items,
  reminder: { status: reminder.response.status, idempotencyKey: reminderRequest?.headers.has('idempotency-key') },
  deleted: {
    status: deleted.response.status,
    contentType: deleted.response.headers.get('content-type'),
    body: await deleted.response.text(),
  },
  health: { status: health.response.status, url: healthUrl },
  oldBasePath: (await raw('/v1/guest-invitations')).status,
  deleteWithoutToken: (await raw(`/v2/guest-invitations/${first}`, { method: 'DELETE' })).status,
  deleteForStranger: (
    await raw(`/v2/guest-invitations/${first}`, {
      method: 'DELETE',
      headers: { ...strangerHeaders, Authorization: tokenOf },
    })
  ).status,
};

// The new field on the same PGlite, then on PostgreSQL.
const notes: Record<string, unknown> = { pglite: await notesOn(store) };
await store.close();
const url = process.env.MUTATION_DATABASE_URL;
if (url !== undefined) {
  const postgres = await openDatabase({ databaseUrl: url, dataDir: '' });
  notes.postgres = await notesOn(postgres);
  await postgres.close();
}
console.log(JSON.stringify({ contract, notes }));
