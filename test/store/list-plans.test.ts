// Every shape of both connection lists is served from indexes (issue #8): with one organization
// holding thousands of connections on each side, and fresh statistics, the plan of neither
// statement of a list (its page, its count) reads `connections` or `organizations` whole. The
// plans checked are the ones the server runs (issue #16): a list without a search is a prepared
// statement on a generic plan (server/store/statement-cache.ts), planned here as PREPARE and
// EXPLAIN EXECUTE under `plan_cache_mode = force_generic_plan`, once per statement text; a
// search keeps custom plans, planned with its values. Nor does a page without a search sort
// more than its own rows (migration 0010: a descending nullable key is read backwards from its
// ascending index, its values then its nulls, each part in list order without a sort).
// The shapes are every combination the contract allows, read from the generated operation
// table: each order both ways, each set of statuses, archived absent/true/false, and then the
// first page, a deep one, and a search on each field.
import { createHash, randomBytes } from 'node:crypto';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operations, schemas } from '../../generated/operations.js';
import { guestConnections, hostConnections, type Side } from '../../server/store/connection-sides.js';
import { listQueries, type ConnectionListQuery } from '../../server/store/connection-lists.js';
import type { ConnectionStatus, Database } from '../../server/store/schema.js';
import { engines, insertTestOrganization, openTestStore } from '../support/database.js';

/** Connections of the filled host, and of the filled guest. */
const ROWS = 2000;
/**
 * 5% into the list (the bench's offset 9,400 is 1% of 1,000,000). Much deeper into a table
 * this small, reading it whole is cheaper than following an index, and the planner knows it.
 */
const DEEP_OFFSET = ROWS / 20;

type ListOperation = 'listHostConnections' | 'listGuestConnections';

function enumOf(operationId: ListOperation, name: string): string[] {
  const schema = operations[operationId].parameters.find((parameter) => parameter.name === name)?.schema;
  if (schema === undefined || !('enum' in schema)) throw new Error(`${operationId} has no enum parameter ${name}`);
  return [...schema.enum];
}

/** Every non-empty set of statuses (`statuses` is an array of unique ConnectionStatus values). */
function statusSets(): ConnectionStatus[][] {
  const all = schemas.ConnectionStatus.enum as readonly ConnectionStatus[];
  return Array.from({ length: 2 ** all.length - 1 }, (_, bits) => all.filter((_, i) => ((bits + 1) >> i) & 1));
}

type Shape = ConnectionListQuery<string, string>;

/** A deep page without a search; a search's matches are few, so its first page stands for all. */
function shapes(operationId: ListOperation, searches: Record<string, string>): Shape[] {
  const searchFields = enumOf(operationId, 'search_field');
  const result: Shape[] = [];
  for (const order_by of enumOf(operationId, 'order_by'))
    for (const order_dir of enumOf(operationId, 'order_dir') as ('asc' | 'desc')[])
      for (const statuses of statusSets())
        for (const archived of [undefined, false, true]) {
          const shape = {
            statuses,
            archived,
            search_field: searchFields[0] ?? '',
            order_by,
            order_dir,
            limit: 50,
            offset: 0,
          };
          result.push(shape, { ...shape, offset: DEEP_OFFSET });
          for (const search_field of searchFields)
            result.push({ ...shape, search_field, search_text: searches[search_field] });
        }
  return result;
}

type PlanNode = { 'Node Type': string; 'Relation Name'?: string; 'Parent Relationship'?: string; Plans?: PlanNode[] };

/** The tables of the whole set that a plan reads from end to end. */
function seqScans(node: PlanNode): string[] {
  const table = node['Relation Name'];
  const own = node['Node Type'] === 'Seq Scan' && (table === 'connections' || table === 'organizations') ? [table] : [];
  return [...own, ...(node.Plans ?? []).flatMap(seqScans)];
}

/**
 * The sorts of a page's plan over more than its page: a list without a search reads its entries
 * in list order from index ranges, and sorts at most the page's rows after their lookup (a
 * Nested Loop), never a range or the ranges' entries (which would be offset + limit of them).
 */
function sortsBeforeThePage(node: PlanNode): string[] {
  // What a Sort sorts is its outer child; a CTE or InitPlan beside it is only evaluated there.
  const input = node.Plans?.find((child) => child['Parent Relationship'] === 'Outer')?.['Node Type'];
  const own = node['Node Type'] === 'Sort' && input !== 'Nested Loop' ? [`Sort of ${input}`] : [];
  return [...own, ...(node.Plans ?? []).flatMap(sortsBeforeThePage)];
}

/** The plan the server runs: generic when `generic` (the values then do not matter), else custom. */
async function planOf(
  db: Kysely<Database>,
  { sql: text, parameters }: CompiledQuery,
  generic: boolean,
): Promise<PlanNode> {
  const literal = (value: unknown): string => `'${String(value).replaceAll("'", "''")}'`;
  const explain = generic
    ? CompiledQuery.raw(`explain (format json) execute plan_probe (${parameters.map(literal).join(', ')})`)
    : CompiledQuery.raw(`explain (format json) ${text}`, [...parameters]);
  if (generic) {
    // As the server's connection runs a list statement (the driver may have switched back since).
    await db.executeQuery(CompiledQuery.raw('set plan_cache_mode = force_generic_plan'));
    await db.executeQuery(CompiledQuery.raw(`prepare plan_probe as ${text}`));
  }
  try {
    const { rows } = await db.executeQuery<{ 'QUERY PLAN': unknown }>(explain);
    const plan = rows[0]?.['QUERY PLAN'];
    return ((typeof plan === 'string' ? JSON.parse(plan) : plan) as [{ Plan: PlanNode }])[0].Plan;
  } finally {
    if (generic) await db.executeQuery(CompiledQuery.raw('deallocate plan_probe'));
  }
}

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

// Only without PostgreSQL: a skip that says why, instead of a half that silently is not there.
if (!engines.includes('postgres')) {
  describe('list plans on postgres', () => {
    it.skip('is not run: TEST_DATABASE_URL is unset', () => {});
  });
}

describe.each(engines)('list plans on %s', (engine) => {
  let db: Kysely<Database>;
  let host: string;
  let guest: string;
  let tag: string;

  beforeAll(async () => {
    db = (await openTestStore(engine)).db;
    host = (await insertTestOrganization(db)).id;
    guest = (await insertTestOrganization(db)).id;
    // ROWS organizations, each a guest of `host` and a host of `guest`, with a mix of statuses,
    // archive flags, blanks and values, in two statements.
    tag = randomBytes(4).toString('hex');
    await sql`
      insert into organizations (id, name, email, owner_email)
      select md5(${tag} || i)::uuid, 'Plan ' || md5('name' || ${tag} || i),
        'p' || substr(md5('email' || ${tag} || i), 1, 16) || '@plans.test', 'o' || substr(md5('owner' || ${tag} || i), 1, 16) || '@plans.test'
      from generate_series(1, ${ROWS}::int) i`.execute(db);
    await sql`
      insert into connections (host_organization_id, guest_organization_id, status, host_archived, host_archived_at,
        guest_archived, guest_archived_at, total_score, score_updated_at, active_action_type, active_action_updated_at, created_at, updated_at)
      select case when mine = 'host' then ${host}::uuid else md5(${tag} || i)::uuid end,
        case when mine = 'host' then md5(${tag} || i)::uuid else ${guest}::uuid end,
        case when i % 10 = 0 then 'disconnected' else 'connected' end,
        i % 7 = 0, case when i % 7 = 0 then now() - i * interval '1 minute' end,
        i % 5 = 0, case when i % 5 = 0 then now() - i * interval '1 minute' end,
        case when i % 3 <> 0 then (i * 37) % 1000 end, case when i % 3 <> 0 then now() - i * interval '1 second' end,
        case when i % 4 = 0 then 'analytics_request' end, case when i % 4 = 0 then now() - i * interval '1 hour' end,
        now() - ((i * 7919) % 100000) * interval '1 minute', now() - ((i * 104729) % 100000) * interval '1 minute'
      from generate_series(1, ${ROWS}::int) i, (values ('host'), ('guest')) side (mine)`.execute(db);
    // Statistics, and the trigram indexes' pending entries merged (PGlite runs no autovacuum).
    for (const table of ['organizations', 'connections', 'connection_counts'])
      await sql`vacuum analyze ${sql.table(table)}`.execute(db);
  }, 120_000);

  afterAll(async () => {
    // The PostgreSQL test database is shared and never dropped: leave it as it was.
    await db
      .deleteFrom('connections')
      .where((eb) => eb.or([eb('host_organization_id', '=', host), eb('guest_organization_id', '=', guest)]))
      .execute();
    await db
      .deleteFrom('organizations')
      .where((eb) => eb.or([eb('id', '=', host), eb('id', '=', guest), eb('email', 'like', '%@plans.test')]))
      .execute();
  });

  // Texts matching one row in ROWS (taken from the first organization's values), so that the
  // trigram index is the better way to the matches; a text matching most rows is counted by
  // reading them all, whatever the index.
  const searchTexts = (party: 'host' | 'guest') => ({
    [`${party}_name`]: md5(`name${tag}1`).slice(0, 10),
    [`${party}_email`]: md5(`email${tag}1`).slice(0, 10),
    owner_email: md5(`owner${tag}1`).slice(0, 10),
  });

  const sides: [ListOperation, Side<string, string>, () => string, 'host' | 'guest'][] = [
    ['listHostConnections', hostConnections, () => guest, 'host'],
    ['listGuestConnections', guestConnections, () => host, 'guest'],
  ];

  it.each(sides)(
    '%s: no shape scans connections or organizations whole, nor sorts more than its page',
    async (operationId, side, lister, party) => {
      const all = shapes(operationId, searchTexts(party));
      const scanned: string[] = [];
      const planned = new Set<string>();
      // One connection: the probe statement and plan_cache_mode stay on it.
      await db.connection().execute(async (one) => {
        for (const shape of all) {
          const { page, count } = listQueries(one, side, lister(), shape);
          const generic = shape.search_text === undefined;
          for (const [statement, query] of [
            ['page', page.compile()],
            ['count', count.compile()],
          ] as const) {
            // A generic plan is one per text; a custom one (a search) per text and values.
            const key = query.sql + (generic ? '' : JSON.stringify(query.parameters));
            if (planned.has(key)) continue;
            planned.add(key);
            const plan = await planOf(one, query, generic);
            const tables = seqScans(plan);
            if (tables.length > 0)
              scanned.push(`${statement} of ${JSON.stringify(shape)}: Seq Scan on ${tables.join(', ')}`);
            const sorts = generic && statement === 'page' ? sortsBeforeThePage(plan) : [];
            if (sorts.length > 0) scanned.push(`page of ${JSON.stringify(shape)}: ${sorts.join(', ')}`);
          }
        }
      });
      expect(all.length).toBeGreaterThan(600);
      expect(scanned).toEqual([]);
    },
    120_000,
  );
});
