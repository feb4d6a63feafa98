// A database of its own for each engine under test, gone at the end: a temp dir for PGlite, a
// scratch database on the PostgreSQL server (the `test` database is shared with the test suites,
// which never drop anything, and the benchmark writes thousands of rows).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Store } from '../server/store/database.js';

export interface ScratchDatabase {
  /** DATA_DIR or DATABASE_URL, for the servers and for openDatabase(). */
  env: { DATA_DIR: string } | { DATABASE_URL: string };
  /** A store on it for this process (PGlite: only while no server has it open). */
  open(): Promise<Store>;
  /** The PostgreSQL backends now connected to it; none for PGlite. */
  backendPids(): Promise<number[]>;
  remove(): Promise<void>;
}

/** Stores opened by this process, so remove() can close one still open (a benchmark stopped while seeding). */
function openStores(open: () => Promise<Store>) {
  const stores = new Set<Store>();
  return {
    async open(): Promise<Store> {
      const store = await open();
      const tracked: Store = {
        ...store,
        close: async () => {
          if (stores.delete(tracked)) await store.close();
        },
      };
      stores.add(tracked);
      return tracked;
    },
    closeAll: async (): Promise<void> => void (await Promise.allSettled([...stores].map((store) => store.close()))),
  };
}

export async function pgliteDatabase(): Promise<ScratchDatabase> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'connections-bench-'));
  const stores = openStores(() => openDatabase({ dataDir }));
  return {
    env: { DATA_DIR: dataDir },
    open: stores.open,
    backendPids: async () => [],
    async remove() {
      await stores.closeAll();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** `serverUrl` names any database on the server; it is used to create, watch and drop the scratch one. */
export async function postgresDatabase(serverUrl: string): Promise<ScratchDatabase> {
  const name = `connections_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } catch (error) {
    await admin.end();
    throw error;
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const stores = openStores(() => openDatabase({ databaseUrl: url.toString(), dataDir: '' }));
  return {
    env: { DATABASE_URL: url.toString() },
    open: stores.open,
    async backendPids() {
      const { rows } = await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [name]);
      return rows.map((row) => row.pid);
    },
    async remove() {
      try {
        await stores.closeAll();
        await admin.query(`drop database if exists ${name} with (force)`);
      } finally {
        await admin.end();
      }
    },
  };
}
