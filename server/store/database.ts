import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite, type ParserOptions } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, PostgresDialect, sql, type PostgresPool } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from './pglite-dialect.js';
import { createActiveClients, lookupInDatabase, REVOCATION_CHANNEL, type ActiveClients } from './active-clients.js';
import { DatabaseLockedError, isDatabaseUnavailable } from './errors.js';
import { createFromTemplate, ensureTemplate } from './pglite-template.js';
import { preparedName } from './prepared.js';
import { DEFAULT_ACQUIRE_TIMEOUT_MS, DEFAULT_STATEMENT_TIMEOUT_MS } from './timeouts.js';
import type { Database } from './schema.js';

export type Store = {
  db: Kysely<Database>;
  kind: 'postgres' | 'pglite';
  /** Which API clients are active, kept in step with revocations by the database's notifications. */
  activeClients: ActiveClients;
  close(): Promise<void>;
  ping(): Promise<void>;
  /** Connection use right now, for metrics. */
  poolStats(): PoolStats;
};

/** pg: connections open, idle, and queries waiting for one. PGlite: its one connection, and the callers queued behind it. */
export type PoolStats = { total: number; idle: number; waiting: number };

export type DatabaseOptions = {
  /** PostgreSQL when set; otherwise the embedded PGlite in dataDir. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** pg Pool size; ignored by PGlite, which is one connection. Default 10. */
  poolSize?: number | undefined;
  /** PostgreSQL: a statement running longer is cancelled (server side, and client side for a silent network). Default 5000. */
  statementTimeoutMs?: number | undefined;
  /** PostgreSQL: waiting longer for a pooled connection (or to open one) fails. Default 3000. */
  acquireTimeoutMs?: number | undefined;
  /**
   * PostgreSQL: send the hot statements (server/store/prepared.ts) as named prepared statements.
   * Default true; off for a pooler that cannot keep them, such as PgBouncer before 1.21 in
   * transaction mode. PGlite always prepares them.
   */
  preparedStatements?: boolean | undefined;
};

// Both engines must hand back the same JS values. timestamptz is a Date in both by default;
// numeric (total_score) is a string in both by default, and int8 (count(*)) a string in pg but a
// number in PGlite, so both become numbers here. Counts and scores fit a double.
const NUMERIC = 1700;
const INT8 = 20;
const parseNumber = (value: string): number => Number(value);
const pgliteParsers: ParserOptions = { [NUMERIC]: parseNumber, [INT8]: parseNumber };
// The trigram indexes of the connection lists (migration 0007) need pg_trgm and btree_gin
// loaded at every open.
const pgliteOptions = { parsers: pgliteParsers, extensions: { pg_trgm, btree_gin } };

export async function openDatabase(options: DatabaseOptions): Promise<Store> {
  if (options.databaseUrl !== undefined && options.databaseUrl !== '') {
    return openPostgres(options.databaseUrl, {
      max: options.poolSize ?? 10,
      statementTimeoutMs: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
      acquireTimeoutMs: options.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS,
      preparedStatements: options.preparedStatements ?? true,
    });
  }
  return openEmbedded(options.dataDir);
}

/** Makes the embedded database's template unless it exists (`npm ci`, `npm pack`); returns its path. */
export const ensurePgliteTemplate = (): Promise<string> => ensureTemplate(pgliteOptions);

/** A fresh PGlite in memory: nothing on disk, no lock. For tests and the sandbox. */
export async function openMemoryDatabase(): Promise<Store> {
  return pgliteStore(await createFromTemplate(pgliteOptions), async () => {});
}

type PoolSettings = { max: number; statementTimeoutMs: number; acquireTimeoutMs: number; preparedStatements: boolean };

function openPostgres(connectionString: string, settings: PoolSettings): Store {
  const types = new pg.TypeOverrides();
  types.setTypeParser(NUMERIC, parseNumber);
  types.setTypeParser(INT8, parseNumber);
  const pool = new pg.Pool({
    connectionString,
    max: settings.max,
    types,
    // A database that hangs must not hang every request: the server cancels a slow statement,
    // the client gives up on one whose answer never comes (a black-holed network), and waiting
    // for a connection is bounded too. Each surfaces as an error that answers 503.
    statement_timeout: settings.statementTimeoutMs,
    query_timeout: settings.statementTimeoutMs + 1000,
    connectionTimeoutMillis: settings.acquireTimeoutMs,
    keepAlive: true,
  });
  // A client that loses its server emits 'error'. pg-pool listens only while the client is
  // idle; a checked-out client without a listener of its own would take the process down
  // (failover, network reset, pgbouncer restart). The query in flight fails by itself, and the
  // client, no longer queryable, is dropped by the pool when released.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: kyselyPool(pool, settings.preparedStatements) }),
  });
  const activeClients = createActiveClients(lookupInDatabase(db));
  const listener = listenForRevocations(connectionString, activeClients);
  const close = async (): Promise<void> => {
    await listener.stop();
    await db.destroy();
  };
  const poolStats = (): PoolStats => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount });
  return { db, kind: 'postgres', activeClients, close, ping: () => ping(db), poolStats };
}

const RELISTEN_DELAY_MS = 1000;

/** A connection of its own that LISTENs for revocations, and reconnects whenever it is lost. */
function listenForRevocations(connectionString: string, activeClients: ActiveClients): { stop(): Promise<void> } {
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const lost = (current: pg.Client) => {
    if (client !== current) return;
    client = undefined;
    activeClients.listening(false);
    void current.end().catch(() => {});
    if (!stopped) retry = setTimeout(connect, RELISTEN_DELAY_MS);
  };
  const connect = () => {
    const current = new pg.Client({ connectionString, keepAlive: true });
    client = current;
    current.on('error', () => lost(current));
    current.on('end', () => lost(current));
    current.on('notification', (message) => activeClients.revoked(message.payload ?? ''));
    current
      .connect()
      .then(() => current.query(`listen ${REVOCATION_CHANNEL}`))
      .then(() => {
        if (client === current && !stopped) activeClients.listening(true);
      })
      .catch(() => lost(current));
  };
  connect();
  return {
    async stop() {
      stopped = true;
      clearTimeout(retry);
      const current = client;
      client = undefined;
      activeClients.listening(false);
      await current?.end().catch(() => {});
    },
  };
}

/**
 * The pool as Kysely sees it, with two changes. A client whose query timed out on the client
 * side is destroyed on release instead of reused: its connection may still carry the lost
 * answer. And, with `prepare`, a hot statement goes out as a named prepared statement, which pg
 * parses once per connection and then only binds and runs.
 */
function kyselyPool(pool: pg.Pool, prepare: boolean): PostgresPool {
  const guarded = new WeakSet<pg.PoolClient>();
  const broken = new WeakSet<pg.PoolClient>();
  const connect = async (): Promise<pg.PoolClient> => {
    const client = await pool.connect();
    if (!guarded.has(client)) {
      guarded.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
      Object.assign(client, {
        query: (...args: unknown[]) =>
          query(...(prepare ? named(args) : args)).catch((error: unknown) => {
            if (isDatabaseUnavailable(error)) broken.add(client);
            throw error;
          }),
      });
    }
    // pg-pool gives every checkout a release function of its own; Kysely calls it with false.
    const release = client.release.bind(client);
    client.release = (destroy?: boolean | Error) => release(broken.has(client) || destroy);
    return client;
  };
  return { connect, end: () => pool.end() };
}

/** Kysely calls `query(sql, parameters)`; pg takes `{ name, text, values }` for a named statement. */
function named(args: unknown[]): unknown[] {
  const [text, values] = args;
  const name = typeof text === 'string' ? preparedName(text) : undefined;
  return name === undefined ? args : [{ name, text, values }];
}

async function openEmbedded(dataDir: string): Promise<Store> {
  await mkdir(dataDir, { recursive: true });
  const lockFile = path.join(dataDir, '.lock');
  await acquireLock(lockFile, dataDir);
  try {
    // A subfolder, so the lock and the JWT secret file never mix with Postgres' own files.
    const pgdata = path.resolve(dataDir, 'pgdata');
    const options = { ...pgliteOptions, dataDir: pgdata };
    // A first start copies the prepared template instead of running initdb.
    const pglite = existsSync(path.join(pgdata, 'PG_VERSION'))
      ? await PGlite.create(options)
      : await createFromTemplate(options);
    return await pgliteStore(pglite, () => releaseLock(lockFile));
  } catch (error) {
    await releaseLock(lockFile);
    throw error;
  }
}

async function pgliteStore(pglite: PGlite, releaseLock: () => Promise<void>): Promise<Store> {
  const dialect = new PGliteDialect(pglite);
  const db = new Kysely<Database>({ dialect });
  const activeClients = createActiveClients(lookupInDatabase(db));
  // One process holds the embedded database, so its notifications reach it without fail.
  await pglite.listen(REVOCATION_CHANNEL, (clientId) => activeClients.revoked(clientId));
  activeClients.listening(true);
  const close = async (): Promise<void> => {
    try {
      await db.destroy();
    } finally {
      await releaseLock();
    }
  };
  const poolStats = (): PoolStats => {
    const { busy, waiting } = dialect.connectionUse();
    return { total: 1, idle: busy ? 0 : 1, waiting };
  };
  return { db, kind: 'pglite', activeClients, close, ping: () => ping(db), poolStats };
}

async function ping(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}

// PGlite is a single Postgres backend writing its files directly: two processes on one data
// dir would corrupt it. The lock file holds the owner's pid. It is created whole, with its
// content, by link(), which fails if the file exists, so nobody ever reads a half-written lock.
// A lock whose pid is dead is stale (the owner crashed) and is taken over. Two processes taking
// over one stale lock at the same instant can still race; that needs a crash and a double start.
async function acquireLock(lockFile: string, dataDir: string): Promise<void> {
  const draft = `${lockFile}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(draft, `${process.pid}\n`);
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await link(draft, lockFile);
        return;
      } catch (error) {
        if (!hasCode(error, 'EEXIST')) throw error;
      }
      const holder = await readLockHolder(lockFile);
      if (holder !== undefined && isAlive(holder)) throw new DatabaseLockedError(dataDir, holder);
      await unlink(lockFile).catch(ignoreCode('ENOENT'));
    }
    throw new Error(`could not take the lock ${lockFile}: it keeps changing hands`);
  } finally {
    await unlink(draft).catch(ignoreCode('ENOENT'));
  }
}

async function releaseLock(lockFile: string): Promise<void> {
  if ((await readLockHolder(lockFile)) === process.pid) {
    await unlink(lockFile).catch(ignoreCode('ENOENT'));
  }
}

/** The pid in the lock file, or undefined when it is gone or does not hold a pid. */
async function readLockHolder(lockFile: string): Promise<number | undefined> {
  const text = await readFile(lockFile, 'utf8').catch(ignoreCode('ENOENT'));
  const pid = Number(text?.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0 checks existence without signalling
    return true;
  } catch (error) {
    return hasCode(error, 'EPERM'); // exists, but belongs to another user
  }
}

function hasCode(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}

function ignoreCode(code: string): (error: unknown) => undefined {
  return (error) => {
    if (!hasCode(error, code)) throw error;
    return undefined;
  };
}
