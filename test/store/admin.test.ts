// The operator's admin command, run as an operator runs it: a child process on a data dir, once
// per behaviour of its process (one JSON line on stdout and exit 0, exit 2, exit 1 with the lock);
// the rest of each command's logic, the demo included, runs in this process (runAdmin), which
// spares a Node start-up and a tsx load of the server per command.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createOrganization, revokeClient, AdminInputError } from '../../server/domain/admin.js';
import { verifySecret } from '../../server/domain/credentials.js';
import { findActiveClient } from '../../server/store/clients.js';
import { openDatabase } from '../../server/store/database.js';
import { findOrganization } from '../../server/store/organizations.js';
import { type AdminRun, adminInProcess, commandEnv } from '../support/admin-command.js';
import { testAppOn } from '../support/app.js';
import { engines, openTestStore } from '../support/database.js';
import { demoOrganization } from '../process/server-process.js';

function admin(args: string[], env: Record<string, string>): Promise<AdminRun> {
  return new Promise((resolve) => {
    // What `npm run admin --` runs, minus npm's and npx's start-up time.
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/admin.ts', ...args],
      { env: commandEnv(env) },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
      },
    );
  });
}

function oneJsonLine(stdout: string): unknown {
  expect(stdout.endsWith('\n')).toBe(true);
  const lines = stdout.slice(0, -1).split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] ?? '');
}

const organizationArgs = [
  'create-organization',
  '--name',
  'Acme Lending',
  '--email',
  'hello@acme.test',
  '--owner-email',
  'owner@acme.test',
];

describe('the admin command on the embedded database', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'connections-admin-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates an organization and prints exactly one JSON line with its credentials', async () => {
    const run = await admin(organizationArgs, { DATA_DIR: dataDir });
    expect(run.code, run.stderr).toBe(0);
    const created = oneJsonLine(run.stdout);
    expect(created).toEqual({
      organization_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      client_id: expect.stringMatching(/^cli_/),
      client_secret: expect.any(String),
    });
    expect(Object.keys(created as object)).toEqual(['organization_id', 'client_id', 'client_secret']);

    const { organization_id, client_id, client_secret } = created as Record<string, string>;
    const store = await openDatabase({ dataDir });
    try {
      expect(await findOrganization(store.db, organization_id ?? '')).toMatchObject({ name: 'Acme Lending' });
      const client = await findActiveClient(store.db, client_id ?? '');
      expect(await verifySecret(client_secret ?? '', client?.secret_hash ?? '')).toBe(true);
    } finally {
      await store.close();
    }

    const another = await adminInProcess(['create-client', '--organization-id', organization_id ?? ''], {
      DATA_DIR: dataDir,
    });
    expect(another.code, another.stderr).toBe(0);
    expect(oneJsonLine(another.stdout)).toMatchObject({
      organization_id,
      client_id: expect.not.stringMatching(client_id ?? ''),
    });

    const revoked = await adminInProcess(['revoke-client', '--client-id', client_id ?? ''], { DATA_DIR: dataDir });
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(oneJsonLine(revoked.stdout)).toEqual({ client_id, revoked: true });
  }, 120_000);

  it('refuses in one line, touching nothing, while a server holds the database', async () => {
    const server = await openDatabase({ dataDir });
    try {
      const before = await server.db.selectFrom('organizations').select('id').execute();
      const run = await admin(organizationArgs, { DATA_DIR: dataDir });
      expect(run).toEqual({
        code: 1,
        stdout: '',
        stderr: `admin: the embedded database in ${dataDir} is open in another process (pid ${process.pid}): stop the server first, or set DATABASE_URL\n`,
      });
      expect(await server.db.selectFrom('organizations').select('id').execute()).toEqual(before);
    } finally {
      await server.close();
    }
  }, 120_000);

  it('answers wrong usage with exit code 2 and bad input with exit code 1, printing nothing on stdout', async () => {
    const usage = await admin(['create-organization', '--name', 'x'], { DATA_DIR: dataDir });
    expect(usage).toMatchObject({ code: 2, stdout: '' });
    expect(usage.stderr).toMatch(/--email is required/);
    expect(await adminInProcess(['frobnicate'], { DATA_DIR: dataDir })).toMatchObject({ code: 2, stdout: '' });

    const invalid = await adminInProcess(
      ['create-organization', '--name', 'x', '--email', 'nope', '--owner-email', 'o@x.test'],
      {
        DATA_DIR: dataDir,
      },
    );
    expect(invalid).toEqual({
      code: 1,
      stdout: '',
      stderr: "admin: email must be an e-mail address (it has no '@')\n",
    });
  }, 120_000);
});

describe('admin demo', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'connections-admin-demo-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('seeds an empty database, then prints the walkthrough again with new secrets that a server accepts', async () => {
    const first = await adminInProcess(['demo'], { DATA_DIR: dataDir, PORT: '3999' });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('# Demo data, seeded because the database was empty.');
    expect(first.stdout).toContain('API=http://127.0.0.1:3999/v1');

    const again = await adminInProcess(['demo'], { DATA_DIR: dataDir });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('# Demo data, with new client secrets');
    const [before, after] = [demoOrganization(first.stdout, 'guest'), demoOrganization(again.stdout, 'guest')];
    expect(after.organization_id).toBe(before.organization_id);
    expect(after.client_secret).not.toBe(before.client_secret);
    // The pending invitation is the same one: it can still be accepted.
    const token = (stdout: string) => stdout.match(/invitation_token (\S+)/)?.[1];
    expect(token(again.stdout)).toBe(token(first.stdout));

    // The app on the same data dir, as a server started there has it.
    const store = await openDatabase({ dataDir });
    try {
      const { request } = testAppOn(store);
      for (const credentials of [after, demoOrganization(again.stdout, 'host')]) {
        const answer = await request('/v1/oauth2/token', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ client_id: credentials.client_id, client_secret: credentials.client_secret }),
        });
        expect(answer.status, await answer.clone().text()).toBe(200);
      }
    } finally {
      await store.close();
    }
  }, 120_000);
});

describe.each(engines)('administration (%s)', (engine) => {
  it('creates an organization with its first client in one transaction', async () => {
    const store = await openTestStore(engine);
    const { db } = store;
    const created = await createOrganization(db, {
      name: 'Beta Bank',
      email: 'b@beta.test',
      owner_email: 'o@beta.test',
    });
    expect(await findActiveClient(db, created.client_id)).toMatchObject({ client_id: created.client_id });
    const second = await createClient(db, created.organization_id);
    expect(second.client_id).not.toBe(created.client_id);

    expect(await revokeClient(store, created.client_id)).toEqual({ client_id: created.client_id, revoked: true });
    expect(await findActiveClient(db, created.client_id)).toBeUndefined();
    expect(await findActiveClient(db, second.client_id)).toMatchObject({ client_id: second.client_id });
    expect(await revokeClient(store, created.client_id)).toEqual({ client_id: created.client_id, revoked: true });
    await expect(revokeClient(store, 'cli_unknown')).rejects.toBeInstanceOf(AdminInputError);
  });

  it('says every problem with the input at once', async () => {
    const { db } = await openTestStore(engine);
    await expect(createOrganization(db, { name: '', email: 'x', owner_email: 'y'.repeat(101) })).rejects.toThrow(
      'name must be 1–300 characters long; email must be 3–100 characters long; owner_email must be 3–100 characters long',
    );
    await expect(createClient(db, 'not-a-uuid')).rejects.toBeInstanceOf(AdminInputError);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('the admin command on PostgreSQL', () => {
  it('uses DATABASE_URL and leaves the data dir alone', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'connections-admin-pg-'));
    try {
      const run = await adminInProcess(organizationArgs, {
        DATABASE_URL: process.env.TEST_DATABASE_URL ?? '',
        DATA_DIR: dataDir,
      });
      expect(run.code, run.stderr).toBe(0);
      const { organization_id } = oneJsonLine(run.stdout) as { organization_id: string };
      const { db } = await openTestStore('postgres');
      expect(await findOrganization(db, organization_id)).toMatchObject({ email: 'hello@acme.test' });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
