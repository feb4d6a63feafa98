// A PostgreSQL database of a test's own on the TEST_DATABASE_URL server, created empty and
// dropped afterwards: for tests that count every row of every table, or that start server
// processes, and so must not share a database with the test files running beside them.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Store } from '../../server/store/database.js';
import { migrateToLatest } from '../../server/store/migrate.js';

export interface ScratchDatabase {
  /** The new database's URL, for a server process or a pool of the test's own. */
  url: string;
  /** A migrated store on it, opened on first call and closed by drop(). */
  store(): Promise<Store>;
  drop(): Promise<void>;
}

async function onServer(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** `prefix` names the test in pg_database, so a database a killed run left behind says whose it is. */
export async function createScratchDatabase(serverUrl: string, prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await onServer(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let opened: Promise<Store> | undefined;
  return {
    url: url.toString(),
    store() {
      opened ??= openDatabase({ databaseUrl: url.toString(), dataDir: '' }).then(async (store) => {
        await migrateToLatest(store.db);
        return store;
      });
      return opened;
    },
    async drop() {
      if (opened !== undefined) await (await opened).close();
      await onServer(serverUrl, `drop database if exists ${name} with (force)`);
    },
  };
}
