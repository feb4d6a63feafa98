// The benchmark's databases, gone at the end: a scratch database on the PostgreSQL server
// (never the shared `test` one) and PGlite directories under $TMPDIR. Each is migrated and
// bulk-loaded through the server's own store, before any target opens it (PGlite admits one
// process at a time).
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CompiledQuery } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../server/store/database.js';
import { migrateToLatest } from '../server/store/migrate.js';
import { bulkLoad, type Sizes } from './data.js';

const LOAD_TIMEOUT_MS = 600_000;

/** Migrates and loads the database, on one connection (the bulk load sets session options). */
async function load(options: { databaseUrl?: string; dataDir: string }, sizes: Sizes): Promise<void> {
  // Building an index over a million rows takes longer than the timeouts made for requests.
  const store = await openDatabase({
    ...options,
    statementTimeoutMs: LOAD_TIMEOUT_MS,
    acquireTimeoutMs: LOAD_TIMEOUT_MS,
  });
  try {
    await migrateToLatest(store.db);
    await store.db
      .connection()
      .execute((connection) =>
        bulkLoad(async (sql, params = []) => connection.executeQuery(CompiledQuery.raw(sql, params)), sizes),
      );
  } finally {
    await store.close();
  }
}

export interface PostgresDatabase {
  name: string;
  url: string;
  /** The backends now connected to it: the PostgreSQL side of whichever target is under load. */
  backendPids(): Promise<number[]>;
  remove(): Promise<void>;
}

/** `serverUrl` names any database on the server; it is used to create, watch and drop the scratch one. */
export async function postgresDatabase(
  serverUrl: string,
  track: (remove: () => Promise<void>) => void,
): Promise<PostgresDatabase> {
  const name = `connections_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const remove = async (): Promise<void> => {
    try {
      await admin.query(`drop database if exists ${name} with (force)`);
    } finally {
      await admin.end();
    }
  };
  track(remove);
  await admin.query(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async backendPids() {
      const { rows } = await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [
        name,
      ]);
      return rows.map((row) => row.pid);
    },
    remove,
  };
}

export async function loadPostgres(database: PostgresDatabase, sizes: Sizes): Promise<void> {
  await load({ databaseUrl: database.url, dataDir: '' }, sizes);
}

/** One loaded PGlite data directory, copied `copies` times: one per process that opens it. */
export async function pgliteDirectories(
  copies: number,
  sizes: Sizes,
  track: (remove: () => Promise<void>) => void,
): Promise<string[]> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'connections-bench-'));
  track(() => rm(root, { recursive: true, force: true }));
  const first = path.join(root, 'pglite-0');
  await load({ dataDir: first }, sizes);
  const directories = [first];
  for (let i = 1; i < copies; i++) {
    const copy = path.join(root, `pglite-${i}`);
    await cp(first, copy, { recursive: true });
    directories.push(copy);
  }
  return directories;
}
