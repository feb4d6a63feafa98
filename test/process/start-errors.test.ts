// A start that cannot work says so in ONE line on stderr that names the variable to fix and
// what it must be, and exits 1: no driver message without context, no stack trace. Every
// message is checked where it is made; the process prints them, one case per way to fail.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadDatabaseConfig } from '../../server/config.js';
import { databaseProblem, listenProblem } from '../../server/startup-errors.js';
import { openDatabase, type Store } from '../../server/store/database.js';
import { migrateToLatest } from '../../server/store/migrate.js';
import { killRunningServers, lines, runToExit, startServer } from './server-process.js';

const SECRET = 'start-errors-test-secret-0123456789abcdef';
const testDatabase = process.env.TEST_DATABASE_URL;

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'connections-start-errors-'));
});

afterAll(async () => {
  await killRunningServers();
  await rm(scratch, { recursive: true, force: true });
});

/** TEST_DATABASE_URL with another user or database. */
function withTestDatabase(change: (url: URL) => void): string {
  const url = new URL(testDatabase ?? '');
  change(url);
  return url.toString();
}

type Case = [title: string, env: () => Record<string, string>, line: RegExp];

// Each message, from the code that makes it: loadConfig for the settings, a real connection
// attempt for DATABASE_URL, a real listen for HOST and PORT.
const configCases: Case[] = [
  ['PORT is not a number', () => ({ PORT: 'abc' }), /^PORT must be an integer from 0 to 65535, not "abc"$/],
  [
    'TOKEN_TTL_SECONDS is 0',
    () => ({ TOKEN_TTL_SECONDS: '0' }),
    /^TOKEN_TTL_SECONDS must be an integer from 1 to \d+, not "0"$/,
  ],
  [
    'DATABASE_POOL_SIZE is negative',
    () => ({ DATABASE_POOL_SIZE: '-1' }),
    /^DATABASE_POOL_SIZE must be an integer from 1 to 1000, not "-1"$/,
  ],
  ['JWT_SECRET is too short', () => ({ JWT_SECRET: 'short' }), /^JWT_SECRET must be at least 32 characters long$/],
  [
    'JWT_SECRET is missing with DATABASE_URL',
    () => ({ DATABASE_URL: 'postgres://127.0.0.1:1/x' }),
    /^JWT_SECRET is required with DATABASE_URL/,
  ],
  [
    'CORS_ORIGINS holds no origin',
    () => ({ CORS_ORIGINS: 'app.example.com' }),
    /^CORS_ORIGINS must be \* or comma-separated origins such as https:\/\/app\.example\.com, not "app\.example\.com"$/,
  ],
  [
    'DATABASE_URL is not a URL',
    () => ({ DATABASE_URL: 'garbage', JWT_SECRET: SECRET }),
    /^DATABASE_URL must be a PostgreSQL URL such as postgres:\/\/user:password@host:5432\/database \(the value is not a URL\)$/,
  ],
  [
    'DATABASE_URL is not a PostgreSQL URL',
    () => ({ DATABASE_URL: 'mysql://db/x', JWT_SECRET: SECRET }),
    /^DATABASE_URL must be a PostgreSQL URL .*\(its scheme is "mysql:"\)$/,
  ],
  [
    'DATA_DIR is a file',
    () => ({ DATA_DIR: path.join(scratch, 'a-file') }),
    /^DATA_DIR must be a folder this process can write; .*a-file: a file is in the way/,
  ],
  [
    'WEBHOOK_DISPATCH is neither on nor off',
    () => ({ WEBHOOK_DISPATCH: 'yes' }),
    /^WEBHOOK_DISPATCH must be on or off, not "yes"$/,
  ],
  [
    'WEBHOOK_ALLOWED_NETWORKS holds a prefix too long',
    () => ({ WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8, 10.0.0.0/33' }),
    /^WEBHOOK_ALLOWED_NETWORKS: "10\.0\.0\.0\/33" is not a CIDR such as 127\.0\.0\.0\/8$/,
  ],
];

const unreachable: Case[] = [
  [
    'a host that does not resolve',
    () => ({ DATABASE_URL: 'postgres://nowhere:1/x' }),
    /^DATABASE_URL must point at a PostgreSQL server this process can reach: postgres:\/\/nowhere:1\/x: host "nowhere" not found \((ENOTFOUND|EAI_AGAIN)\)$/,
  ],
  [
    'a port nothing listens on (the password is not shown)',
    () => ({ DATABASE_URL: 'postgres://someone:hunter2@127.0.0.1:1/x' }),
    /^DATABASE_URL must point at a PostgreSQL server this process can reach: postgres:\/\/someone@127\.0\.0\.1:1\/x: nothing accepts connections on 127\.0\.0\.1:1 \(ECONNREFUSED\)$/,
  ],
];

const refused: Case[] = [
  [
    'a database that does not exist',
    () => ({ DATABASE_URL: withTestDatabase((url) => (url.pathname = '/connections_missing_database')) }),
    /^DATABASE_URL must name an existing database: .*\/connections_missing_database: database "connections_missing_database" does not exist \(3D000\); create it first$/,
  ],
  [
    'a user PostgreSQL does not know',
    () => ({ DATABASE_URL: withTestDatabase((url) => (url.username = 'connections_no_such_user')) }),
    /^DATABASE_URL must name a user and password PostgreSQL accepts: .*connections_no_such_user.*\((28000|28P01)\)$/,
  ],
];

/** What a start would print for a DATABASE_URL: open and migrate, as the server does. */
async function databaseLine(databaseUrl: string): Promise<string> {
  const config = loadDatabaseConfig({ DATABASE_URL: databaseUrl });
  let store: Store | undefined;
  try {
    store = await openDatabase(config);
    await migrateToLatest(store.db);
  } catch (error) {
    return databaseProblem(error, config);
  } finally {
    await store?.close();
  }
  throw new Error(`${databaseUrl} worked`);
}

/** What a start would print when it cannot listen there. */
function listenLine(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error) => resolve(listenProblem(error, host, port)));
    server.listen(port, host, () => server.close(() => reject(new Error(`${host}:${port} worked`))));
  });
}

describe('what a start with a wrong setting says', () => {
  beforeAll(async () => {
    await writeFile(path.join(scratch, 'a-file'), 'not a folder');
  });

  it.each(configCases)('%s', async (_title, env, line) => {
    const error = await loadConfig({
      DATA_DIR: path.join(scratch, `data-${randomBytes(4).toString('hex')}`),
      ...env(),
    }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(line);
  });

  it.each(unreachable)('DATABASE_URL names %s', async (_title, env, line) => {
    const text = await databaseLine(env().DATABASE_URL ?? '');
    expect(text).toMatch(line);
    expect(text).not.toContain('hunter2');
  });

  const postgres = testDatabase ? it.each(refused) : it.skip.each(refused);
  postgres(
    `DATABASE_URL names %s${testDatabase ? '' : ' (skipped: TEST_DATABASE_URL is not set)'}`,
    async (_title, env, line) => {
      expect(await databaseLine(env().DATABASE_URL ?? '')).toMatch(line);
    },
  );

  it('HOST is not an address of this machine, PORT is taken', async () => {
    expect(await listenLine('nowhere.invalid', 0)).toMatch(
      /^HOST must be an address of this machine .*"nowhere\.invalid" is not \((ENOTFOUND|EAI_AGAIN)\)$/,
    );
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      expect(await listenLine('127.0.0.1', port)).toBe(
        `PORT ${port} is already in use on 127.0.0.1: set PORT to a free port (0 picks one)`,
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

// The same lines from the process, one per way a start fails: before the database (a
// setting), at listen (HOST), opening the database (DATABASE_URL, DATA_DIR).
describe('a start with a wrong setting', () => {
  const processCases: Case[] = [
    configCases[0] as Case,
    [
      'HOST is not an address of this machine',
      () => ({ HOST: 'nowhere.invalid' }),
      /^HOST must be an address of this machine/,
    ],
    [
      'DATABASE_URL names a host that does not resolve',
      () => ({ DATABASE_URL: 'postgres://nowhere:1/x', JWT_SECRET: SECRET }),
      (unreachable[0] as Case)[2],
    ],
    ['DATA_DIR is a file', () => ({ DATA_DIR: path.join(scratch, 'a-file') }), /^DATA_DIR must be a folder/],
  ];

  it.each(processCases)(
    '%s: one line on stderr, exit 1',
    async (_title, env, line) => {
      const run = await runToExit({ DATA_DIR: path.join(scratch, `data-${randomBytes(4).toString('hex')}`), ...env() });
      expect(run.stdout).toBe('');
      expect(lines(run.stderr)).toHaveLength(1);
      expect(run.stderr.replace(/^connections-api: /, '').trimEnd()).toMatch(line);
      expect(run.code).toBe(1);
    },
    60_000,
  );
});

describe('a first start on a port in use', () => {
  let taken: Server;

  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => taken.close(resolve));
  });

  it('fails before touching the database, so the next start still seeds and prints the demo', async () => {
    const dataDir = path.join(scratch, 'port-in-use');
    const address = taken.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const run = await runToExit({ DATA_DIR: dataDir, PORT: String(port) });
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(lines(run.stderr)).toEqual([
      `connections-api: PORT ${port} is already in use on 127.0.0.1: set PORT to a free port (0 picks one)`,
    ]);
    // No database was created, so nothing was seeded that could never be shown.
    expect(await readdir(dataDir).catch(() => [])).not.toContain('pgdata');

    const next = await startServer({ DATA_DIR: dataDir });
    expect(next.process.stdout()).toContain('# Demo data, seeded because the database was empty.');
    expect(await next.process.signal('SIGTERM')).toEqual({ code: 0, signal: null });
  }, 120_000);
});
