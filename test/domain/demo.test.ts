// The demo a first start seeds, and its printed walkthrough run exactly as printed: through
// bash and curl against the app listening on a real port.
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { formatWalkthrough, seedDemo, type Demo } from '../../server/demo.js';
import { openMemoryDatabase, type Store } from '../../server/store/database.js';
import { migrateToLatest } from '../../server/store/migrate.js';
import { TEST_JWT_SECRET } from '../support/app.js';
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
    expect(demo).not.toBeNull();
    if (demo === null) return;
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
    if (demo === null) throw new Error('no demo');
    const walkthrough = formatWalkthrough(demo, baseUrl);
    for (const secret of [demo.host.client_secret, demo.guest.client_secret, demo.invitation.invitation_token]) {
      expect(walkthrough).toContain(secret);
    }

    const run = await bash(walkthrough);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [created, hostConnections, guestConnections, ...rest] = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown);
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
});
