// Both engines behave as one: same JS values back, same transaction semantics. The PGlite
// driver shares one connection behind a mutex, so a transaction must hold it until it ends.
import { AbortedTransactionError, sql, type Kysely } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, migrationNames } from '../../server/store/migrate.js';
import type { Database, Organization } from '../../server/store/schema.js';
import { engines, insertTestOrganization, openTestStore } from '../support/database.js';

describe.each(engines)('the %s engine', (engine) => {
  let db: Kysely<Database>;
  let host: Organization;
  let guest: Organization;

  beforeAll(async () => {
    db = (await openTestStore(engine)).db;
    host = await insertTestOrganization(db);
    guest = await insertTestOrganization(db);
  }, 60_000);

  it('has applied every migration, and migrating again applies none', async () => {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
    expect(rows.map((row) => row.name)).toEqual(migrationNames);
    expect(migrationNames).toContain('0002_exact_idempotent_responses');
    expect(await migrateToLatest(db)).toEqual([]);
  });

  it('returns timestamptz as Date, numeric and counts as number, text byte for byte', async () => {
    const scoredAt = new Date('2024-02-29T12:34:56.789Z');
    await db
      .insertInto('connections')
      .values({
        host_organization_id: host.id,
        guest_organization_id: guest.id,
        status: 'connected',
        total_score: 87.25,
        score_updated_at: scoredAt,
      })
      .execute();
    const connection = await db
      .selectFrom('connections')
      .selectAll()
      .where('host_organization_id', '=', host.id)
      .where('guest_organization_id', '=', guest.id)
      .executeTakeFirstOrThrow();
    expect(connection.total_score).toBe(87.25);
    expect(connection.score_updated_at).toEqual(scoredAt);
    expect(connection.created_at).toBeInstanceOf(Date);
    expect(connection.host_archived).toBe(false);
    expect(connection.host_archived_at).toBeNull();

    const { total } = await db
      .selectFrom('connections')
      .select((eb) => eb.fn.countAll<number>().as('total'))
      .where('host_organization_id', '=', host.id)
      .executeTakeFirstOrThrow();
    expect(total).toBe(1);

    // Key order and spacing a jsonb column would not keep.
    const body = `{"zeta":1,  "alpha":{"list":[1,"two",null]},"mark":"✓"}`;
    const stored = await db
      .insertInto('idempotency_keys')
      .values({
        organization_id: host.id,
        key: 'key-1',
        operation_id: 'createHostConnection',
        request_hash: 'hash',
        result: body,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    expect(stored.result).toBe(body);
  });

  it('reports how many rows an update changed', async () => {
    const result = await db
      .updateTable('organizations')
      .set({ name: sql`name` })
      .where('id', 'in', [host.id, guest.id])
      .executeTakeFirst();
    expect(result.numUpdatedRows).toBe(2n);
  });

  it('rolls a failed transaction back whole', async () => {
    const name = `rolled back ${host.id}`;
    await expect(
      db.transaction().execute(async (trx) => {
        await insertTestOrganization(trx, { name });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await db.selectFrom('organizations').where('name', '=', name).selectAll().execute()).toEqual([]);
  });

  it('refuses to commit a transaction whose statement failed, even if the error was caught', async () => {
    const name = `aborted ${host.id}`;
    await expect(
      db.transaction().execute(async (trx) => {
        await insertTestOrganization(trx, { name });
        await insertTestOrganization(trx, { name: '' }).catch(() => undefined);
      }),
    ).rejects.toBeInstanceOf(AbortedTransactionError);
    expect(await db.selectFrom('organizations').where('name', '=', name).selectAll().execute()).toEqual([]);
    await db.selectFrom('organizations').select('id').limit(1).execute(); // the connection is usable again
  });

  it('rolls back to a savepoint', async () => {
    const kept = `kept ${host.id}`;
    const dropped = `dropped ${host.id}`;
    const trx = await db.startTransaction().execute();
    await insertTestOrganization(trx, { name: kept });
    const inner = await trx.savepoint('before_drop').execute();
    await insertTestOrganization(inner, { name: dropped });
    await inner.rollbackToSavepoint('before_drop').execute();
    await trx.commit().execute();
    const names = await db.selectFrom('organizations').select('name').where('name', 'in', [kept, dropped]).execute();
    expect(names).toEqual([{ name: kept }]);
  });

  it('keeps a transaction to itself while other queries run concurrently', async () => {
    const name = `isolated ${host.id}`;
    let release = (): void => {};
    const paused = new Promise<void>((resolve) => (release = resolve));
    let inserted = (): void => {};
    const insertedInTransaction = new Promise<void>((resolve) => (inserted = resolve));

    const transaction = db.transaction().execute(async (trx) => {
      await insertTestOrganization(trx, { name });
      inserted();
      await paused;
      throw new Error('roll back');
    });
    await insertedInTransaction;
    // Runs while the transaction is open: it must not see the uncommitted row, and on PGlite it
    // simply waits for the transaction to end instead of slipping into it.
    const outside = db.selectFrom('organizations').select('id').where('name', '=', name).execute();
    release();
    await expect(transaction).rejects.toThrow('roll back');
    expect(await outside).toEqual([]);
  });

  it('answers a ping', async () => {
    await expect((await openTestStore(engine)).ping()).resolves.toBeUndefined();
  });
});
