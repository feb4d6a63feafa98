// Run by check.ts inside the mutated copy of the project (copied to its root as
// check-field.ts), where HostConnection and GuestConnection have a new nullable field `note`, a
// migration adds its column (default 'fresh') and each view reads it. Every read, list and
// create answer of both sides must carry it: what each answer said, on one engine's store.
import { sql } from 'kysely';
import { createConnectionsClient } from './client/index.js';
import { appOn } from './copy-app.js';
import { createOrganization, type NewCredentials } from './server/domain/admin.js';
import type { Store } from './server/store/database.js';
import { migrateToLatest } from './server/store/migrate.js';

export async function notesOn(store: Store): Promise<Record<string, unknown>> {
  await migrateToLatest(store.db);
  const app = appOn(store);
  const organization = (name: string) =>
    createOrganization(store.db, { name, email: `${name}@example.test`, owner_email: `owner.${name}@example.test` });
  const clientOf = (credentials: NewCredentials) =>
    createConnectionsClient({
      baseUrl: 'http://api.example.test/v2',
      requesterOrganizationId: credentials.organization_id,
      clientId: credentials.client_id,
      clientSecret: credentials.client_secret,
      fetch: async (request) => app.fetch(request),
    });
  const [hostCredentials, guestCredentials] = [await organization('host'), await organization('guest')];
  const [host, guest] = [clientOf(hostCredentials), clientOf(guestCredentials)];
  const hostId = { host_org_id: hostCredentials.organization_id };
  const guestId = { guest_org_id: guestCredentials.organization_id };

  const invitation = await host.POST('/guest-invitations', {
    body: { email: 'guest@example.test', expired_at: new Date(Date.now() + 86_400_000).toISOString() },
  });
  const created = await guest.POST('/host-connections', {
    body: {
      host_organization_id: hostCredentials.organization_id,
      invitation_token: invitation.data?.invitation_token,
    },
  });
  await sql`update connections set note = 'changed'`.execute(store.db);
  const note = (answer: { data?: unknown; response: Response }) =>
    answer.response.ok ? (answer.data as { note?: unknown }).note : answer.response.status;
  const first = (answer: { data?: { items: unknown[] }; response: Response }) => ({
    response: answer.response,
    data: answer.data?.items[0],
  });
  return {
    created: note(created),
    hostConnection: note(await guest.GET('/host-connections/{host_org_id}', { params: { path: hostId } })),
    hostConnections: note(
      first(await guest.GET('/host-connections', { params: { query: { statuses: ['connected'] } } })),
    ),
    hostConnectionPatched: note(
      await guest.PATCH('/host-connections/{host_org_id}', { params: { path: hostId }, body: { archived: true } }),
    ),
    guestConnection: note(await host.GET('/guest-connections/{guest_org_id}', { params: { path: guestId } })),
    guestConnections: note(
      first(await host.GET('/guest-connections', { params: { query: { statuses: ['connected'] } } })),
    ),
    guestConnectionPatched: note(
      await host.PATCH('/guest-connections/{guest_org_id}', { params: { path: guestId }, body: { archived: true } }),
    ),
  };
}
