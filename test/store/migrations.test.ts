// Several server processes may start at once against one PostgreSQL database: the migrations
// must be applied exactly once, the others waiting and then finding nothing to do.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase, type Store } from '../../server/store/database.js';
import { migrateToLatest, migrationNames } from '../../server/store/migrate.js';
import { openTestStore } from '../support/database.js';

const url = process.env.TEST_DATABASE_URL;

describe.runIf(url)('migrating PostgreSQL from several processes at once', () => {
  it('applies each migration exactly once', async () => {
    // A scratch database of this test's own, since the shared one is already migrated;
    // it is the only thing this test drops.
    const name = `migrate_race_${randomBytes(6).toString('hex')}`;
    const { db: admin } = await openTestStore('postgres');
    await sql`create database ${sql.id(name)}`.execute(admin);
    const scratchUrl = new URL(url ?? '');
    scratchUrl.pathname = `/${name}`;
    const stores: Store[] = [];
    try {
      for (let i = 0; i < 4; i++)
        stores.push(await openDatabase({ databaseUrl: scratchUrl.href, dataDir: '', poolSize: 2 }));
      const applied = await Promise.all(stores.map((store) => migrateToLatest(store.db)));
      expect(applied.flat().sort()).toEqual(migrationNames);
      const first = stores[0];
      const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
        first?.db ?? admin,
      );
      expect(rows.map((row) => row.name)).toEqual(migrationNames);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await sql`drop database if exists ${sql.id(name)}`.execute(admin);
    }
  }, 60_000);
});
