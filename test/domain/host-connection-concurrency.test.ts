// POST /host-connections under concurrency: exactly one connection however many requests race,
// and an Idempotency-Key in flight answers 409.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../server/app.js';
import { openDatabase, type Store } from '../../server/store/database.js';
import { createTestApp, TEST_JWT_SECRET, type TestApp, type TestOrganization } from '../support/app.js';
import { engines } from '../support/database.js';
import { waitForLockWaiters } from '../support/lock-waiters.js';
import { expectProblem, invite, json, type HostConnection, type Problem } from './flows.js';

async function post(
  app: App | TestApp,
  organization: TestOrganization,
  body: unknown,
  key?: string,
): Promise<Response> {
  return app.request('/v1/host-connections', {
    method: 'POST',
    headers: {
      ...organization.headers(),
      'Content-Type': 'application/json',
      ...(key === undefined ? {} : { 'Idempotency-Key': key }),
    },
    body: JSON.stringify(body),
  });
}

/** Status and problem code (or "created") of each response, counted. */
async function outcomes(responses: Response[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const response of responses) {
    const body = (await response.json()) as Partial<Problem>;
    const outcome = `${response.status} ${body.code ?? 'created'}`;
    counts[outcome] = (counts[outcome] ?? 0) + 1;
  }
  return counts;
}

async function connectionCount(t: TestApp, hostId: string): Promise<number> {
  const rows = await t.store.db
    .selectFrom('connections')
    .select('guest_organization_id')
    .where('host_organization_id', '=', hostId)
    .execute();
  return rows.length;
}

describe.each(engines)('concurrent requests in one process on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(engine);
  });

  it('creates exactly one connection for 8 concurrent requests with one token', async () => {
    const host = await t.newOrganization();
    const guest = await t.newOrganization();
    const invitation = await invite(t, host, 'guest@example.test');
    const body = { host_organization_id: host.organization_id, invitation_token: invitation.invitation_token };
    const responses = await Promise.all(Array.from({ length: 8 }, () => post(t, guest, body)));
    expect(await outcomes(responses)).toEqual({ '201 created': 1, '409 connection_already_exists': 7 });
    expect(await connectionCount(t, host.organization_id)).toBe(1);
  });

  it('runs concurrent requests with one Idempotency-Key once: one 201, the others replays or in flight', async () => {
    const host = await t.newOrganization();
    const guest = await t.newOrganization();
    const invitation = await invite(t, host, 'guest@example.test');
    const body = { host_organization_id: host.organization_id, invitation_token: invitation.invitation_token };
    const responses = await Promise.all(Array.from({ length: 4 }, () => post(t, guest, body, 'concurrent-key')));
    const replayed = responses.filter((response) => response.headers.get('idempotency-replayed') === 'true');
    const counts = await outcomes(responses);
    // PGlite runs one transaction at a time, so nothing is ever in flight there: every retry is a replay.
    if (engine === 'pglite') expect(counts).toEqual({ '201 created': 4 });
    expect((counts['201 created'] ?? 0) - replayed.length).toBe(1);
    expect((counts['201 created'] ?? 0) + (counts['409 idempotency_key_in_flight'] ?? 0)).toBe(4);
    expect(await connectionCount(t, host.organization_id)).toBe(1);
  });
});

// Several apps, each with its own pg pool, stand for several server processes sharing one
// database; a separate client holds row locks so that the requests really overlap.
// PGlite is one connection inside one process: there is no second process to race with.
const databaseUrl = process.env.TEST_DATABASE_URL;
describe.skipIf(databaseUrl === undefined || databaseUrl === '')('several processes on PostgreSQL', () => {
  let t: TestApp;
  let stores: Store[];
  let apps: App[];
  let blocker: pg.Client;

  beforeAll(async () => {
    t = await createTestApp('postgres');
    stores = await Promise.all(
      Array.from({ length: 4 }, () => openDatabase({ databaseUrl, dataDir: '', poolSize: 4 })),
    );
    apps = stores.map((store) =>
      createApp({ store, jwtSecret: TEST_JWT_SECRET, validateResponses: true, log: () => {} }),
    );
    blocker = new pg.Client({ connectionString: databaseUrl });
    await blocker.connect();
  });

  afterAll(async () => {
    await blocker?.end();
    await Promise.all((stores ?? []).map((store) => store.close()));
  });

  const appFor = (index: number): App => apps[index % apps.length] as App;

  const blockedBehindBlocker = (count: number) => waitForLockWaiters(t.store.db, blocker, count);

  async function holdInvitation(id: string): Promise<void> {
    await blocker.query('begin');
    await blocker.query('select id from invitations where id = $1 for update', [id]);
  }

  it('creates exactly one connection for 8 requests with one token from one guest, across 4 processes', async () => {
    const host = await t.newOrganization();
    const guest = await t.newOrganization();
    const invitation = await invite(t, host, 'guest@example.test');
    const body = { host_organization_id: host.organization_id, invitation_token: invitation.invitation_token };
    await holdInvitation(invitation.id);
    const pending = Array.from({ length: 8 }, (_, index) => post(appFor(index), guest, body));
    await blockedBehindBlocker(8);
    await blocker.query('commit');
    expect(await outcomes(await Promise.all(pending))).toEqual({
      '201 created': 1,
      '409 connection_already_exists': 7,
    });
    expect(await connectionCount(t, host.organization_id)).toBe(1);
  });

  it('lets exactly one of 6 guests racing with one token in', async () => {
    const host = await t.newOrganization();
    const guests = await Promise.all(Array.from({ length: 6 }, () => t.newOrganization()));
    const invitation = await invite(t, host, 'guest@example.test');
    const body = { host_organization_id: host.organization_id, invitation_token: invitation.invitation_token };
    await holdInvitation(invitation.id);
    const pending = guests.map((guest, index) => post(appFor(index), guest, body));
    await blockedBehindBlocker(6);
    await blocker.query('commit');
    expect(await outcomes(await Promise.all(pending))).toEqual({
      '201 created': 1,
      '409 invitation_already_accepted': 5,
    });
    expect(await connectionCount(t, host.organization_id)).toBe(1);
  });

  it('creates one connection for 6 concurrent tokenless requests', async () => {
    const host = await t.newOrganization();
    const guest = await t.newOrganization();
    const invitation = await invite(t, host, `org-${guest.client_id}@example.test`);
    await t.store.db
      .updateTable('organizations')
      .set({ email: invitation.email })
      .where('id', '=', guest.organization_id)
      .execute();
    await holdInvitation(invitation.id);
    const pending = Array.from({ length: 6 }, (_, index) =>
      post(appFor(index), guest, { host_organization_id: host.organization_id }),
    );
    await blockedBehindBlocker(6);
    await blocker.query('commit');
    expect(await outcomes(await Promise.all(pending))).toEqual({
      '201 created': 1,
      '409 connection_already_exists': 5,
    });
    expect(await connectionCount(t, host.organization_id)).toBe(1);
  });

  it('answers 409 connection_already_exists, not 500, when two invitations race to the primary key', async () => {
    const host = await t.newOrganization();
    const guest = await t.newOrganization();
    const first = await invite(t, host, 'first@example.test');
    const second = await invite(t, host, 'second@example.test');
    // An uncommitted row for the pair: both requests pass the existence check, then wait on the key.
    await blocker.query('begin');
    await blocker.query(
      `insert into connections (host_organization_id, guest_organization_id, status) values ($1, $2, 'connected')`,
      [host.organization_id, guest.organization_id],
    );
    const pending = [first, second].map((invitation, index) =>
      post(appFor(index), guest, {
        host_organization_id: host.organization_id,
        invitation_token: invitation.invitation_token,
      }),
    );
    await blockedBehindBlocker(2);
    await blocker.query('rollback');
    expect(await outcomes(await Promise.all(pending))).toEqual({
      '201 created': 1,
      '409 connection_already_exists': 1,
    });
    expect(await connectionCount(t, host.organization_id)).toBe(1);
  });

  it('answers 409 idempotency_key_in_flight while the first request with the key runs, then replays it', async () => {
    const host = await t.newOrganization();
    const guest = await t.newOrganization();
    const invitation = await invite(t, host, 'guest@example.test');
    const body = { host_organization_id: host.organization_id, invitation_token: invitation.invitation_token };
    await holdInvitation(invitation.id);
    const first = post(appFor(0), guest, body, 'slow-key');
    await blockedBehindBlocker(1);

    await expectProblem(await post(appFor(1), guest, body, 'slow-key'), 409, 'idempotency_key_in_flight');
    await expectProblem(
      await post(appFor(2), guest, { host_organization_id: host.organization_id }, 'slow-key'),
      409,
      'idempotency_key_in_flight',
    );
    await blocker.query('commit');

    const created = await first;
    expect(created.status).toBe(201);
    const createdBody = await json<HostConnection>(created);
    const replay = await post(appFor(3), guest, body, 'slow-key');
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotency-replayed')).toBe('true');
    expect(await json(replay)).toEqual(createdBody);
  });
});
