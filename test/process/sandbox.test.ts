// `npm run sandbox`: the real server on a database in memory, with the demo seeded and its
// walkthrough printed, touching no data folder; gone when it stops.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  demoOrganization,
  getOwnOrganization,
  killRunningServers,
  lines,
  requestToken,
  startServer,
} from './server-process.js';

afterAll(async () => {
  await killRunningServers();
});

describe('npm run sandbox', () => {
  it('serves the demo from memory, leaves DATA_DIR and DATABASE_URL alone, and stops on SIGTERM', async () => {
    const dataDir = path.join(tmpdir(), `connections-sandbox-never-made-${process.pid}`);
    const sandbox = await startServer(
      // Both ignored: the sandbox never reads or writes a real database.
      { DATA_DIR: dataDir, DATABASE_URL: 'postgres://nowhere:1/x' },
      [process.execPath, '--import', 'tsx', 'scripts/sandbox.ts'],
    );
    const stdout = sandbox.process.stdout();
    expect(stdout).toContain('# Demo data, seeded because the database was empty.');
    expect(lines(stdout).at(-1)).toBe(
      `connections-api listening on ${sandbox.url} (API at ${sandbox.url}/v1, sandbox: in-memory database, nothing is kept)`,
    );

    const guest = demoOrganization(stdout, 'guest');
    const token = await requestToken(sandbox.url, guest);
    const organization = await getOwnOrganization(sandbox.url, guest.organization_id, token);
    expect(await organization.json()).toMatchObject({ name: 'Acme Bakery' });

    expect(await sandbox.process.signal('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(existsSync(dataDir)).toBe(false);
  }, 90_000);
});
