// The hot statements (server/store/prepared.ts): what a named prepared statement answers on each
// engine is what the same SQL answers through Kysely's ordinary path, every time it runs, and a
// view's timestamp (server/store/view.ts) is exactly what `toISOString()` makes of the driver's Date.
import { randomUUID } from 'node:crypto';
import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Store } from '../../server/store/database.js';
import { prepared, preparedName } from '../../server/store/prepared.js';
import { selectionText, sourcesOf } from '../../server/store/view.js';
import { engines, openTestStore } from '../support/database.js';

type Row = { id: string; label: string | null; score: number | null; flag: boolean; at: Date; at_text: string };

const TABLE = 'prepared_statement_probe';
const atText = selectionText({ at_text: sourcesOf<{ at: Date }>().timestamp('at') }, TABLE);
const select = prepared<Row, [id: string]>(
  'test_prepared_probe_select',
  `select id, label, score, flag, at, ${atText} from ${TABLE} where id = $1`,
);
const update = prepared<never, [id: string, label: string | null, at: Date]>(
  'test_prepared_probe_update',
  `update ${TABLE} set label = $2, at = $3 where id = $1`,
);

// Microseconds cut, not rounded, to milliseconds; the first and last years the contract's date-time can hold.
const TIMESTAMPS: [string, string][] = [
  ['2026-12-01 23:59:59.999999+00', '2026-12-01T23:59:59.999Z'],
  ['2026-12-01 23:59:59.9995+00', '2026-12-01T23:59:59.999Z'],
  ['2026-06-30 12:00:00+02', '2026-06-30T10:00:00.000Z'],
  ['2026-01-01 00:00:00.001+00', '2026-01-01T00:00:00.001Z'],
  ['2024-02-29 08:30:15.12345-05:30', '2024-02-29T14:00:15.123Z'],
  ['1000-01-01 00:00:00+00', '1000-01-01T00:00:00.000Z'],
  ['0001-01-01 00:00:00+00', '0001-01-01T00:00:00.000Z'],
  ['9999-12-31 23:59:59.999+00', '9999-12-31T23:59:59.999Z'],
];

describe('prepared()', () => {
  it('gives a name one text and a text one name', () => {
    expect(preparedName(select.sql)).toBe('test_prepared_probe_select');
    expect(() => prepared('test_prepared_probe_select', 'select 2')).toThrow(/another statement/);
    expect(() => prepared('test_prepared_probe_other', select.sql)).toThrow(/another statement/);
    expect(preparedName('select 1')).toBeUndefined();
  });
});

describe.each([...engines, ...(engines.includes('postgres') ? (['postgres unprepared'] as const) : [])])(
  'a prepared statement on %s',
  (engine) => {
    let store: Store;
    let unprepared: Store | undefined;

    beforeAll(async () => {
      if (engine === 'postgres unprepared') {
        unprepared = await openDatabase({
          databaseUrl: process.env.TEST_DATABASE_URL,
          dataDir: '',
          preparedStatements: false,
        });
        store = unprepared;
      } else {
        store = await openTestStore(engine);
      }
      await sql
        .raw(
          `create table if not exists ${TABLE} (id text primary key, label text, score numeric, flag boolean not null, at timestamptz not null)`,
        )
        .execute(store.db);
    });

    afterAll(async () => {
      await unprepared?.close();
    });

    /** The same statement through Kysely's ordinary path (a text no prepared statement has). */
    const unnamed = async (id: string): Promise<Row | undefined> =>
      (await store.db.executeQuery<Row>(CompiledQuery.raw(`${select.sql} `, [id]))).rows[0];

    it('answers as the unprepared statement does, run after run, and counts the rows it changes', async () => {
      const id = randomUUID();
      await sql`insert into ${sql.table(TABLE)} (id, label, score, flag, at) values (${id}, ${'first'}, ${12.5}, ${true}, ${new Date('2026-12-01T10:00:00.123Z')})`.execute(
        store.db,
      );
      for (let run = 0; run < 7; run++) {
        const row = await select.first(store.db, id);
        expect(row).toEqual(await unnamed(id));
        expect(row).toMatchObject({ id, label: 'first', score: 12.5, flag: true, at_text: '2026-12-01T10:00:00.123Z' });
        expect(row?.at).toBeInstanceOf(Date);
      }
      const at = new Date('2026-12-02T11:12:13.456Z');
      const changed = await update.execute(store.db, id, null, at);
      expect(changed.numAffectedRows).toBe(1n);
      expect(await select.first(store.db, id)).toMatchObject({ label: null, at, at_text: at.toISOString() });
      expect((await update.execute(store.db, randomUUID(), 'none', at)).numAffectedRows).toBe(0n);
      expect(await select.first(store.db, randomUUID())).toBeUndefined();
    });

    it('runs inside a transaction and rolls back with it', async () => {
      const id = randomUUID();
      await sql`insert into ${sql.table(TABLE)} (id, flag, at) values (${id}, ${false}, now())`.execute(store.db);
      await expect(
        store.db.transaction().execute(async (trx) => {
          await update.execute(trx, id, 'inside', new Date());
          expect((await select.first(trx, id))?.label).toBe('inside');
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect((await select.first(store.db, id))?.label).toBeNull();
    });

    it("formats a timestamptz as Date.prototype.toISOString() does with the driver's Date", async () => {
      for (const [text, iso] of TIMESTAMPS) {
        const id = randomUUID();
        await sql`insert into ${sql.table(TABLE)} (id, flag, at) values (${id}, ${false}, ${text}::timestamptz)`.execute(
          store.db,
        );
        const row = await select.first(store.db, id);
        expect(row?.at_text, text).toBe(iso);
        // PGlite parses years before 1000 into the wrong Date (0001 becomes 2001); the view's text does not.
        if (!text.startsWith('0')) expect(row?.at.toISOString(), text).toBe(iso);
      }
    });
  },
);
