// `npm start` with DATABASE_URL: a shared JWT_SECRET is required, nothing is seeded, and server
// processes sharing the database accept each other's tokens. Each run gets a database of its
// own on the TEST_DATABASE_URL server, so "nothing seeded" is checked on an empty one.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganization } from '../../server/domain/admin.js';
import { hasOrganizations } from '../../server/store/organizations.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-database.js';
import {
  getOwnOrganization,
  killRunningServers,
  lines,
  requestToken,
  runToExit,
  startServer,
} from './server-process.js';

const serverUrl = process.env.TEST_DATABASE_URL;
const title = serverUrl
  ? 'the server on PostgreSQL'
  : 'the server on PostgreSQL (skipped: TEST_DATABASE_URL is not set)';

const SHARED_SECRET = 'process-test-shared-secret-0123456789abcdef';
const OTHER_SECRET = 'process-test-other-secret-0123456789abcdefg';

describe.skipIf(!serverUrl)(title, () => {
  let scratch: ScratchDatabase;
  let databaseUrl: string;
  let dataDir: string | undefined;

  beforeAll(async () => {
    scratch = await createScratchDatabase(serverUrl ?? '', 'connections_process');
    databaseUrl = scratch.url;
    // Given to every process, to show that with DATABASE_URL nothing is written there.
    dataDir = await mkdtemp(path.join(tmpdir(), 'connections-process-'));
  });

  afterAll(async () => {
    await killRunningServers();
    await scratch?.drop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses to start without JWT_SECRET, in one line', async () => {
    const run = await runToExit({ DATABASE_URL: databaseUrl, DATA_DIR: dataDir ?? '' });
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(lines(run.stderr)).toEqual([
      expect.stringMatching(/^connections-api: JWT_SECRET is required with DATABASE_URL \(.+\)$/),
    ]);
    expect(await readdir(dataDir ?? '')).toEqual([]);
  });

  it('starts without a demo, and processes with one JWT_SECRET accept each other’s tokens', async () => {
    const env = { DATABASE_URL: databaseUrl, DATA_DIR: dataDir ?? '' };
    // Started together: both migrate the empty database at once.
    const [a, b, other] = await Promise.all([
      startServer({ ...env, JWT_SECRET: SHARED_SECRET }),
      startServer({ ...env, JWT_SECRET: SHARED_SECRET }),
      startServer({ ...env, JWT_SECRET: OTHER_SECRET }),
    ]);
    for (const server of [a, b, other]) {
      expect(lines(server.process.stdout())).toEqual([
        `connections-api listening on ${server.url} (API at ${server.url}/v1, PostgreSQL)`,
      ]);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    }
    const store = await scratch.store();
    expect(await hasOrganizations(store.db)).toBe(false);

    const organization = await createOrganization(store.db, {
      name: 'Process Test Organization',
      email: 'contact@process.example',
      owner_email: 'owner@process.example',
    });
    const fromA = await requestToken(a.url, organization);
    const fromB = await requestToken(b.url, organization);
    const onB = await getOwnOrganization(b.url, organization.organization_id, fromA);
    expect(onB.status).toBe(200);
    expect(await onB.json()).toMatchObject({ id: organization.organization_id, name: 'Process Test Organization' });
    expect((await getOwnOrganization(a.url, organization.organization_id, fromB)).status).toBe(200);
    // What makes them accept each other's tokens is the shared key, not the shared database.
    const onOther = await getOwnOrganization(other.url, organization.organization_id, fromA);
    expect(onOther.status).toBe(401);
    expect(onOther.headers.get('www-authenticate')).toMatch(/^Bearer/);

    const exits = await Promise.all([a, b, other].map((server) => server.process.signal('SIGTERM')));
    expect(exits).toEqual([0, 0, 0].map((code) => ({ code, signal: null })));
    expect(await readdir(dataDir ?? '')).toEqual([]);
  }, 60_000);
});
