import { randomUUID } from 'node:crypto';
import { openDatabase, openMemoryDatabase, type Store } from '../../server/store/database.js';
import { insertOrganization } from '../../server/store/organizations.js';
import { migrateToLatest } from '../../server/store/migrate.js';
import type { Database, Organization } from '../../server/store/schema.js';
import type { Kysely } from 'kysely';

export type Engine = 'pglite' | 'postgres';

/** For `describe.each(engines)`: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const engines: Engine[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

// A fresh PGlite takes seconds to start and migrate, so each engine's store is opened once
// per module instance and shared. Vitest's default isolation gives every test file its own
// process, so that is once per test file; with --no-isolate, once per worker. Tests share the
// database, so they never close the store and isolate themselves by creating their own
// organizations (the PostgreSQL one is shared by every run: nothing is ever dropped there).
const stores = new Map<Engine, Promise<Store>>();

export function openTestStore(kind: Engine): Promise<Store> {
  let store = stores.get(kind);
  if (store === undefined) {
    store = open(kind);
    stores.set(kind, store);
  }
  return store;
}

async function open(kind: Engine): Promise<Store> {
  const url = process.env.TEST_DATABASE_URL;
  if (kind === 'postgres' && !url) throw new Error('TEST_DATABASE_URL is not set');
  const store = kind === 'pglite' ? await openMemoryDatabase() : await openDatabase({ databaseUrl: url, dataDir: '' });
  await migrateToLatest(store.db);
  return store;
}

/** A new organization with unique name and e-mails, so tests on a shared database never collide. */
export async function insertTestOrganization(
  db: Kysely<Database>,
  values: Partial<{ name: string; email: string; owner_email: string }> = {},
): Promise<Organization> {
  const tag = randomUUID().slice(0, 8);
  return insertOrganization(db, {
    name: `Test organization ${tag}`,
    email: `org-${tag}@example.test`,
    owner_email: `owner-${tag}@example.test`,
    ...values,
  });
}
