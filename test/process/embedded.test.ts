// `npm start` on the embedded database: the first start seeds the demo, the data folder admits
// one process at a time, SIGTERM stops cleanly, and a restart finds its data and signing key.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  demoOrganization,
  getOwnOrganization,
  killRunningServers,
  lines,
  requestToken,
  runToExit,
  startServer,
} from './server-process.js';

const dataDirs: string[] = [];

afterAll(async () => {
  await killRunningServers();
  await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function newDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'connections-process-'));
  dataDirs.push(dir);
  return dir;
}

describe('the server on the embedded database', () => {
  it('seeds the demo once, refuses a second process on its data, stops on SIGTERM and restarts with its data', async () => {
    const dataDir = await newDataDir();
    const lockFile = path.join(dataDir, '.lock');

    const first = await startServer({ DATA_DIR: dataDir });
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(new URL(first.url).port).not.toBe('0');
    const stdout = first.process.stdout();
    expect(stdout).toContain('# Demo data, seeded because the database was empty.');
    expect(lines(stdout)).toContain(`API=${first.url}/v1`);
    expect(lines(stdout).at(-1)).toBe(
      `connections-api listening on ${first.url} (API at ${first.url}/v1, embedded database in ${dataDir})`,
    );

    for (const probe of ['/healthz', '/readyz']) {
      const response = await fetch(`${first.url}${probe}`);
      expect({ probe, status: response.status, body: await response.json() }).toEqual({
        probe,
        status: 200,
        body: { status: 'ok' },
      });
    }
    const guest = demoOrganization(stdout, 'guest');
    const token = await requestToken(first.url, guest);
    expect((await getOwnOrganization(first.url, guest.organization_id, token)).status).toBe(200);
    expect((await readFile(lockFile, 'utf8')).trim()).toBe(String(first.process.pid));

    const second = await runToExit({ DATA_DIR: dataDir });
    expect(second).toMatchObject({ code: 1, stdout: '' });
    expect(lines(second.stderr)).toEqual([
      expect.stringMatching(/^connections-api: the embedded database in .* is open in another process \(pid \d+\)/),
    ]);
    expect(second.stderr).toContain(dataDir);
    expect(second.stderr).toContain(`(pid ${first.process.pid})`);
    // The refused process left the lock, and the server, alone.
    expect((await readFile(lockFile, 'utf8')).trim()).toBe(String(first.process.pid));
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);

    expect(await first.process.signal('SIGTERM')).toEqual({ code: 0, signal: null });
    await expect(stat(lockFile)).rejects.toMatchObject({ code: 'ENOENT' });

    const restarted = await startServer({ DATA_DIR: dataDir });
    // Nothing but the listening line: no walkthrough, no second demo.
    expect(lines(restarted.process.stdout())).toEqual([expect.stringMatching(/^connections-api listening on /)]);
    // The token of the first run: the signing key was kept in the data folder, the organization in the database.
    const again = await getOwnOrganization(restarted.url, guest.organization_id, token);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ id: guest.organization_id, name: 'Acme Bakery' });
    await expect(requestToken(restarted.url, guest)).resolves.toEqual(expect.any(String));

    expect(await restarted.process.signal('SIGTERM')).toEqual({ code: 0, signal: null });
    await expect(stat(lockFile)).rejects.toMatchObject({ code: 'ENOENT' });
  }, 120_000);
});
