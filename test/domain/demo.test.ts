// The demo a first start seeds, and its printed walkthrough run exactly as printed: through
// bash and curl against the app listening on a real port.
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { AdminInputError } from '../../server/domain/admin.js';
import { formatWalkthrough, reissueDemo, seedDemo, type Demo } from '../../server/demo.js';
import { openMemoryDatabase, type Store } from '../../server/store/database.js';
import { migrateToLatest } from '../../server/store/migrate.js';
import { TEST_JWT_SECRET } from '../support/app.js';
import { UUID } from '../../conformance/uuid.js';
import type { GuestConnection, HostConnection, Invitation } from './flows.js';

function bash(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', script], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr });
    });
  });
}

// Seeding needs an empty database. The shared PostgreSQL test database always holds other
// tests' organizations (nothing is dropped there), so this runs on a fresh PGlite of its own;
// the demo uses the same domain functions as the API, which the other tests run on both engines.
describe('the demo on an empty database', () => {
  let store: Store;
  let demo: Demo | null;
  let server: ServerType;
  let baseUrl: string;

  beforeAll(async () => {
    store = await openMemoryDatabase();
    await migrateToLatest(store.db);
    demo = await seedDemo(store);
    const app = createApp({ store, jwtSecret: TEST_JWT_SECRET, validateResponses: true, log: () => {} });
    server = await new Promise<ServerType>((resolve) => {
      const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await store?.close();
  });

  it('seeds a host, a guest and a pending 30-day invitation to the guest', async () => {
    expect(demo?.invitation).toEqual({
      id: expect.stringMatching(UUID),
      email: demo?.guest.email,
      invitation_token: expect.stringMatching(/^[\w-]{43}$/),
      expired_at: expect.any(String),
    });
    if (!demo?.invitation) throw new Error('no demo invitation');
    expect(demo.host.name).toBe('Northwind Lending');
    expect(demo.guest.name).toBe('Acme Bakery');
    expect(demo.invitation.email).toBe(demo.guest.email);
    const days = (Date.parse(demo.invitation.expired_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    const row = await store.db.selectFrom('invitations').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      host_organization_id: demo.host.organization_id,
      status: 'sent',
      invitation_token: demo.invitation.invitation_token,
    });
  });

  it('seeds nothing when the database has organizations', async () => {
    expect(await seedDemo(store)).toBeNull();
    const organizations = await store.db.selectFrom('organizations').select('id').execute();
    expect(organizations).toHaveLength(2);
  });

  it('prints a walkthrough whose commands work exactly as printed', async () => {
    if (!demo?.invitation) throw new Error('no demo');
    const walkthrough = formatWalkthrough(demo, baseUrl);
    for (const secret of [demo.host.client_secret, demo.guest.client_secret, demo.invitation.invitation_token]) {
      expect(walkthrough).toContain(secret);
    }

    const run = await bash(walkthrough);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [created, hostConnections, guestConnections, ...rest] = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
    expect(rest).toEqual([]);
    expect(created as HostConnection).toMatchObject({
      host_organization_id: demo.host.organization_id,
      guest_organization_id: demo.guest.organization_id,
      host_name: 'Northwind Lending',
      status: 'connected',
    });
    expect(hostConnections).toEqual({ items: [created], total_items: 1 });
    const hostView = guestConnections as { items: GuestConnection[]; total_items: number };
    expect(hostView.total_items).toBe(1);
    expect(hostView.items[0]).toMatchObject({ guest_name: 'Acme Bakery', status: 'connected' });

    const invitation = await store.db.selectFrom('invitations').selectAll().executeTakeFirstOrThrow();
    expect(invitation.status satisfies Invitation['status']).toBe('accepted_by_guest');
  });
  /** A token for the client, or the status of the refusal. */
  async function token(client: { client_id: string; client_secret: string }): Promise<string | number> {
    const response = await fetch(`${baseUrl}/v1/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_id: client.client_id, client_secret: client.client_secret }),
    });
    return response.status === 200
      ? ((await response.json()) as { access_token: string }).access_token
      : response.status;
  }

  it('issues new secrets again (admin demo); once connected, the walkthrough skips the invitation and still works', async () => {
    if (demo === null) throw new Error('no demo');
    const again = await reissueDemo(store);
    expect(again).toMatchObject({
      origin: 'reissued',
      host: { organization_id: demo.host.organization_id, name: 'Northwind Lending' },
      guest: { organization_id: demo.guest.organization_id, name: 'Acme Bakery' },
      // The walkthrough above connected them: nothing left to accept.
      invitation: null,
    });
    expect(again.guest.client_id).not.toBe(demo.guest.client_id);
    expect(typeof (await token(again.guest))).toBe('string');
    expect(typeof (await token(again.host))).toBe('string');
    // The earlier clients are left as they were.
    expect(typeof (await token(demo.guest))).toBe('string');

    const walkthrough = formatWalkthrough(again, baseUrl);
    expect(walkthrough).toContain('# Demo data, with new client secrets');
    expect(walkthrough).toContain(again.guest.client_secret);
    expect(walkthrough).not.toContain('POST "$API/host-connections"');
    const run = await bash(walkthrough);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const [hostConnections, guestConnections, ...rest] = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { total_items: number });
    expect(rest).toEqual([]);
    expect([hostConnections?.total_items, guestConnections?.total_items]).toEqual([1, 1]);
  });
});

// One more database of its own, emptied again by the test that fills it.
describe('admin demo on other databases', () => {
  let store: Store;

  beforeAll(async () => {
    store = await openMemoryDatabase();
    await migrateToLatest(store.db);
  });

  afterAll(async () => {
    await store?.close();
  });

  it('refuses a database that holds organizations but not the demo', async () => {
    await store.db
      .insertInto('organizations')
      .values({ name: 'Real Co', email: 'real@example.test', owner_email: 'owner@example.test' })
      .execute();
    await expect(reissueDemo(store)).rejects.toThrow(AdminInputError);
    await store.db.deleteFrom('organizations').execute();
  });

  it('seeds an empty database, and keeps the pending invitation while the guest has not connected', async () => {
    const seeded = await reissueDemo(store);
    expect(seeded.origin).toBe('seeded');
    const again = await reissueDemo(store);
    expect(again.origin).toBe('reissued');
    expect(again.invitation).toEqual(seeded.invitation);
    expect(again.host.client_secret).not.toBe(seeded.host.client_secret);
  });
});
