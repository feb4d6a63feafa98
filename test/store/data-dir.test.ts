// What lives in DATA_DIR besides the embedded database: its lock file and the JWT secret.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadDatabaseConfig } from '../../server/config.js';
import { openDatabase } from '../../server/store/database.js';
import { DatabaseLockedError } from '../../server/store/errors.js';

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'connections-data-'));
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** The pid of a process that has already exited: a lock it held is stale. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('the embedded database lock', () => {
  // One database for the tests that open it one at a time, as a server's restarts do (each first
  // open of a folder restores the template, ~1.5 s of CPU); the race below gets a new folder.
  let database: string;
  beforeAll(async () => {
    database = await mkdtemp(path.join(tmpdir(), 'connections-lock-'));
  });
  afterAll(async () => {
    await rm(database, { recursive: true, force: true });
  });
  const lockFile = (): string => path.join(database, '.lock');

  it('refuses a second open of the same data dir while the first is open, and frees it on close', async () => {
    const first = await openDatabase({ dataDir: database });
    expect((await readFile(lockFile(), 'utf8')).trim()).toBe(String(process.pid));

    const second = openDatabase({ dataDir: database });
    await expect(second).rejects.toBeInstanceOf(DatabaseLockedError);
    await expect(second).rejects.toThrow(
      `the embedded database in ${database} is open in another process (pid ${process.pid}): stop the server first, or set DATABASE_URL`,
    );
    await first.ping(); // the refused open left the first one alone

    await first.close();
    await expect(stat(lockFile())).rejects.toMatchObject({ code: 'ENOENT' });
    const again = await openDatabase({ dataDir: database });
    await again.close();
  }, 60_000);

  it('lets exactly one of two simultaneous opens win', async () => {
    const results = await Promise.allSettled([openDatabase({ dataDir }), openDatabase({ dataDir })]);
    const opened = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const refused = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    expect(opened).toHaveLength(1);
    expect(refused).toEqual([expect.any(DatabaseLockedError)]);
    await opened[0]?.close();
  }, 60_000);

  it('takes over a lock left by a process that died', async () => {
    const pid = deadPid();
    await writeFile(lockFile(), `${pid}\n`);
    const store = await openDatabase({ dataDir: database });
    expect((await readFile(lockFile(), 'utf8')).trim()).toBe(String(process.pid));
    await store.close();
  }, 60_000);

  it('takes over a lock file that holds no pid', async () => {
    await writeFile(lockFile(), '');
    const store = await openDatabase({ dataDir: database });
    await store.close();
  }, 60_000);
});

describe('configuration', () => {
  it('has defaults for everything but the secret', async () => {
    const config = await loadConfig({ DATA_DIR: dataDir });
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', dataDir, tokenTtlSeconds: 3600 });
    expect(config.databaseUrl).toBeUndefined();
    expect(loadDatabaseConfig({})).toEqual({
      databaseUrl: undefined,
      dataDir: './.data',
      poolSize: 10,
      statementTimeoutMs: 5000,
      acquireTimeoutMs: 3000,
      preparedStatements: true,
    });
    expect(loadDatabaseConfig({ DATABASE_POOL_SIZE: '25' }).poolSize).toBe(25);
    expect(loadDatabaseConfig({ DATABASE_PREPARED_STATEMENTS: 'false' }).preparedStatements).toBe(false);
    expect(() => loadDatabaseConfig({ DATABASE_PREPARED_STATEMENTS: 'no' })).toThrow(ConfigError);
    expect(loadDatabaseConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it('creates the embedded JWT secret once, private to its owner, and reuses it', async () => {
    const [first, second] = await Promise.all([loadConfig({ DATA_DIR: dataDir }), loadConfig({ DATA_DIR: dataDir })]);
    expect(first.jwtSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(second.jwtSecret).toBe(first.jwtSecret);
    expect((await loadConfig({ DATA_DIR: dataDir })).jwtSecret).toBe(first.jwtSecret);
    expect((await stat(path.join(dataDir, 'jwt-secret'))).mode & 0o777).toBe(0o600);
  });

  it('takes JWT_SECRET when set, and only a long one', async () => {
    const secret = 's'.repeat(32);
    expect((await loadConfig({ DATA_DIR: dataDir, JWT_SECRET: secret })).jwtSecret).toBe(secret);
    await expect(loadConfig({ DATA_DIR: dataDir, JWT_SECRET: 'short' })).rejects.toBeInstanceOf(ConfigError);
  });

  it('requires JWT_SECRET with DATABASE_URL, since every server process must share it', async () => {
    const env = { DATABASE_URL: 'postgres://localhost/x', DATA_DIR: dataDir };
    await expect(loadConfig(env)).rejects.toThrow(/JWT_SECRET is required with DATABASE_URL/);
    await expect(stat(path.join(dataDir, 'jwt-secret'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses numbers that are not numbers', async () => {
    await expect(loadConfig({ DATA_DIR: dataDir, PORT: 'http' })).rejects.toBeInstanceOf(ConfigError);
    await expect(loadConfig({ DATA_DIR: dataDir, PORT: '70000' })).rejects.toBeInstanceOf(ConfigError);
    await expect(loadConfig({ DATA_DIR: dataDir, TOKEN_TTL_SECONDS: '0' })).rejects.toBeInstanceOf(ConfigError);
    expect(() => loadDatabaseConfig({ DATABASE_POOL_SIZE: '0' })).toThrow(ConfigError);
    expect((await loadConfig({ DATA_DIR: dataDir, PORT: '8080', TOKEN_TTL_SECONDS: '60' })).port).toBe(8080);
  });
});
