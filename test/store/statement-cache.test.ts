// A connection's list statements (server/store/statement-cache.ts): named by their text, at most
// `capacity` kept (the least recently used one deallocated), run on generic plans, every other
// statement with parameters on custom ones, switching plan_cache_mode only when needed.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { runShaped, shapedName } from '../../server/store/prepared.js';
import { ConnectionStatements } from '../../server/store/statement-cache.js';
import { openTestStore, engines } from '../support/database.js';

describe('ConnectionStatements', () => {
  it('names list statements, evicts the least recent, and switches plan_cache_mode by kind', async () => {
    const { db } = await openTestStore(engines[0] ?? 'pglite');
    const queries = [1, 2, 3].map((n) => db.selectNoFrom(sql<number>`${sql.lit(n)}`.as('total')));
    for (const query of queries) expect(await runShaped(db, query)).toHaveLength(1);
    const texts = queries.map((query) => query.compile().sql);
    const [one, two, three] = texts.map((text) => shapedName(text));
    expect(new Set([one, two, three]).size).toBe(3);

    const statements = new ConnectionStatements(2);
    expect(statements.plan(texts[0] ?? '', 0)).toEqual({
      name: one,
      evicted: undefined,
      setup: ['set plan_cache_mode = force_generic_plan'],
    });
    expect(statements.plan(texts[1] ?? '', 0)).toEqual({ name: two, evicted: undefined, setup: [] });
    // `one` used again: `two` is now the least recent.
    expect(statements.plan(texts[0] ?? '', 0).evicted).toBeUndefined();
    expect(statements.plan(texts[2] ?? '', 0).evicted).toBe(two);
    // Other SQL: unnamed; with parameters it needs custom plans again, without them nothing.
    expect(statements.plan('select $1::int', 0)).toEqual({ name: undefined, evicted: undefined, setup: [] });
    expect(statements.plan('select $1::int', 1).setup).toEqual(['set plan_cache_mode = auto']);
    expect(statements.plan('select $1::int', 1).setup).toEqual([]);
    // A rollback may undo a switch: the next statement of either kind sets its mode again.
    expect(statements.plan('rollback', 0).setup).toEqual([]);
    expect(statements.plan('select $1::int', 1).setup).toEqual(['set plan_cache_mode = auto']);
  });
});
