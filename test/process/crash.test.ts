// A server killed by SIGKILL in the middle of a write load (guests connecting, the host
// inviting and asking for actions), on PostgreSQL and on the embedded database: afterwards
// every write the client was told succeeded is in the database, and no invitation is accepted
// without its connection (nor a connection made from an invitation left pending).
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createOrganization, type NewCredentials } from '../../server/domain/admin.js';
import { createGuestInvitation } from '../../server/domain/guest-invitations.js';
import { openDatabase, type Store } from '../../server/store/database.js';
import { asHost } from '../../server/store/pair.js';
import { migrateToLatest } from '../../server/store/migrate.js';
import type { Database } from '../../server/store/schema.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-database.js';
import { killRunningServers, requestToken, startServer, type RunningServer } from './server-process.js';

const serverUrl = process.env.TEST_DATABASE_URL;
const SECRET = 'crash-test-shared-secret-0123456789abcdef';
const GUESTS = 12;
const CONCURRENCY = 6;

interface Seeded {
  host: NewCredentials;
  guests: { credentials: NewCredentials; invitationToken: string }[];
}

/** A host with one pending invitation for each guest. */
async function seed(store: Store): Promise<Seeded> {
  const make = (role: string) => {
    const tag = randomUUID().slice(0, 8);
    return createOrganization(store.db, {
      name: `Crash ${role} ${tag}`,
      email: `${role}-${tag}@example.test`,
      owner_email: `owner-${tag}@example.test`,
    });
  };
  const host = await make('host');
  const expired_at = new Date(Date.now() + 86_400_000).toISOString();
  const guests = await Promise.all(
    Array.from({ length: GUESTS }, async (_, i) => {
      const credentials = await make(`guest${i}`);
      const invitation = await createGuestInvitation(store.db, asHost(host.organization_id), {
        email: `guest${i}@example.test`,
        expired_at,
      });
      return { credentials, invitationToken: invitation.invitation_token };
    }),
  );
  return { host, guests };
}

interface Acknowledged {
  connections: string[];
  invitations: string[];
  actions: string[];
}

/**
 * Guests connect (each with its own invitation), the host invites and asks each new guest for
 * an action, CONCURRENCY at a time; SIGKILL once half the guests were answered. Returns what
 * the client was told was created, and how many requests were cut off.
 */
async function writeUntilKilled(server: RunningServer, seeded: Seeded): Promise<Acknowledged & { cut: number }> {
  const asOrganization = async (credentials: NewCredentials) => {
    const token = await requestToken(server.url, credentials);
    return (pathname: string, body: unknown) =>
      fetch(`${server.url}/v1${pathname}`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Requester-Organization-ID': credentials.organization_id,
          'Target-Organization-ID': credentials.organization_id,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify(body),
      });
  };
  const host = await asOrganization(seeded.host);
  const guests = await Promise.all(
    seeded.guests.map(async (g) => ({ ...g, post: await asOrganization(g.credentials) })),
  );
  const acknowledged: Acknowledged = { connections: [], invitations: [], actions: [] };
  let answeredGuests = 0;
  let cut = 0;
  let killed: Promise<unknown> | undefined;
  const created = async (
    request: Promise<Response>,
  ): Promise<{ id?: string; guest_organization_id?: string } | undefined> => {
    try {
      const response = await request;
      const body = (await response.json()) as { id?: string };
      return response.status === 201 ? body : undefined;
    } catch {
      cut++; // the connection died with the server: the outcome is unknown to the client
      return undefined;
    }
  };
  const queue = [...guests];
  const worker = async () => {
    for (let guest = queue.shift(); guest !== undefined && killed === undefined; guest = queue.shift()) {
      const connection = await created(
        guest.post('/host-connections', {
          host_organization_id: seeded.host.organization_id,
          invitation_token: guest.invitationToken,
        }),
      );
      if (connection !== undefined) acknowledged.connections.push(guest.credentials.organization_id);
      const invitation = await created(
        host('/guest-invitations', {
          email: `more-${randomUUID()}@example.test`,
          expired_at: new Date(Date.now() + 86_400_000).toISOString(),
        }),
      );
      if (invitation?.id !== undefined) acknowledged.invitations.push(invitation.id);
      if (connection !== undefined) {
        const action = await created(
          host(`/guest-connections/${guest.credentials.organization_id}/actions`, { action_type: 'analytics_request' }),
        );
        if (action?.id !== undefined) acknowledged.actions.push(action.id);
      }
      if (++answeredGuests === GUESTS / 2) killed = server.process.signal('SIGKILL');
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  expect(await killed).toEqual({ code: null, signal: 'SIGKILL' });
  return { ...acknowledged, cut };
}

/** What the database holds against what the client was told. */
async function expectAcknowledgedWrites(
  db: Kysely<Database>,
  hostId: string,
  acknowledged: Acknowledged,
): Promise<void> {
  const connections = await db
    .selectFrom('connections')
    .select(['guest_organization_id', 'status'])
    .where('host_organization_id', '=', hostId)
    .execute();
  const connected = new Set(connections.map((c) => c.guest_organization_id));
  expect(
    acknowledged.connections.filter((id) => !connected.has(id)),
    'acknowledged connections that are gone',
  ).toEqual([]);
  const invitations = new Set(
    (await db.selectFrom('invitations').select('id').where('host_organization_id', '=', hostId).execute()).map(
      (i) => i.id,
    ),
  );
  expect(
    acknowledged.invitations.filter((id) => !invitations.has(id)),
    'acknowledged invitations that are gone',
  ).toEqual([]);
  const actions = new Set(
    (await db.selectFrom('connection_actions').select('id').where('host_organization_id', '=', hostId).execute()).map(
      (a) => a.id,
    ),
  );
  expect(
    acknowledged.actions.filter((id) => !actions.has(id)),
    'acknowledged actions that are gone',
  ).toEqual([]);
  // One transaction accepts the invitation and creates the connection: never one without the other.
  const { rows: halfDone } = await sql<{ id: string; status: string; connection: string | null }>`
    select i.id, i.status, c.guest_organization_id as connection
    from invitations i left join connections c on c.invitation_id = i.id
    where i.host_organization_id = ${hostId} and ((i.status <> 'sent') <> (c.invitation_id is not null))
  `.execute(db);
  expect(halfDone).toEqual([]);
}

const dataDirs: string[] = [];
afterAll(async () => {
  await killRunningServers();
  await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe.skipIf(!serverUrl)(
  `a server killed under write load on PostgreSQL${serverUrl ? '' : ' (skipped: TEST_DATABASE_URL is not set)'}`,
  () => {
    let scratch: ScratchDatabase | undefined;
    afterAll(async () => {
      await scratch?.drop();
    });

    it('keeps every write it acknowledged, and accepts no invitation without its connection', async () => {
      scratch = await createScratchDatabase(serverUrl ?? '', 'connections_crash');
      const store = await scratch.store();
      const seeded = await seed(store);
      const env = { DATABASE_URL: scratch.url, JWT_SECRET: SECRET };
      const acknowledged = await writeUntilKilled(await startServer(env), seeded);
      console.log(
        `crash on PostgreSQL: ${acknowledged.connections.length} connections, ${acknowledged.invitations.length} invitations, ${acknowledged.actions.length} actions acknowledged before SIGKILL; ${acknowledged.cut} requests cut off`,
      );
      expect(acknowledged.connections.length).toBeGreaterThan(0);
      await expectAcknowledgedWrites(store.db, seeded.host.organization_id, acknowledged);
      // And a restarted server serves them.
      const restarted = await startServer(env);
      const guest = seeded.guests.find((g) => g.credentials.organization_id === acknowledged.connections[0]);
      const token = await requestToken(restarted.url, guest?.credentials ?? seeded.host);
      const id = guest?.credentials.organization_id ?? '';
      const response = await fetch(`${restarted.url}/v1/host-connections/${seeded.host.organization_id}`, {
        headers: { Authorization: `Bearer ${token}`, 'Requester-Organization-ID': id, 'Target-Organization-ID': id },
      });
      expect(response.status).toBe(200);
    }, 120_000);
  },
);

describe('a server killed under write load on the embedded database', () => {
  it('keeps every write it acknowledged, and accepts no invitation without its connection', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'connections-crash-'));
    dataDirs.push(dataDir);
    // Seeded before the server starts: the embedded database admits one process at a time.
    let store = await openDatabase({ dataDir });
    await migrateToLatest(store.db);
    const seeded = await seed(store);
    await store.close();
    const acknowledged = await writeUntilKilled(await startServer({ DATA_DIR: dataDir }), seeded);
    console.log(
      `crash on the embedded database: ${acknowledged.connections.length} connections, ${acknowledged.invitations.length} invitations, ${acknowledged.actions.length} actions acknowledged before SIGKILL; ${acknowledged.cut} requests cut off`,
    );
    expect(acknowledged.connections.length).toBeGreaterThan(0);
    // Reopening the folder is the restart: past the dead server's lock, through PGlite's recovery.
    store = await openDatabase({ dataDir });
    try {
      await expectAcknowledgedWrites(store.db, seeded.host.organization_id, acknowledged);
    } finally {
      await store.close();
    }
  }, 120_000);
});
