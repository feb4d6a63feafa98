// `--mode list-costs`: what one token of an organization's request budget buys of the database,
// by list shape (docs/benchmarks.md, "List costs"). A host with --guests guests on PostgreSQL;
// each shape's list timed through the store (page and count, no HTTP), p50 of --runs, divided by
// what the rate limit charges for it (server/http/request-cost.ts). The charge is fair when
// that time is about the same for every shape.
import { requestCost } from '../server/http/request-cost.js';
import {
  type GuestConnectionOrder,
  type GuestConnectionSearchField,
  guestConnections,
} from '../server/store/connection-sides.js';
import { type ConnectionListQuery, listConnections } from '../server/store/connection-lists.js';
import { asHost } from '../server/store/pair.js';
import { openDatabase } from '../server/store/database.js';
import { fixtures, postgresDatabase } from './data.js';
import { registerCleanup } from './processes.js';
import { median } from './report.js';

type Query = ConnectionListQuery<GuestConnectionSearchField, GuestConnectionOrder>;
const base: Query = {
  statuses: ['connected'],
  search_field: 'guest_name',
  order_by: 'guest_name',
  order_dir: 'asc',
  limit: 50,
  offset: 0,
};

const wildcards = '%_'.repeat(128).slice(0, 255);
const shapes: [string, Partial<Query>][] = [
  ['a page', {}],
  ['search "%"', { search_text: '%' }],
  ['search "a1b"', { search_text: 'a1b' }],
  ['search "guest" (every row)', { search_text: 'guest' }],
  ['search 255 × "a"', { search_text: 'a'.repeat(255) }],
  ['search 255 × "%_"', { search_text: wildcards }],
  ['search owner_email 255 × "%_"', { search_field: 'owner_email', search_text: wildcards }],
  ['offset=10000', { offset: 10_000 }],
  ['offset=19000', { offset: 19_000 }],
  ['offset=1000000 (past the end)', { offset: 1_000_000 }],
  ['search 255 × "%_", offset=19000', { search_text: wildcards, offset: 19_000 }],
];

/** The query as the rate limit sees it: the raw query string's values. */
const rawQuery = (query: Query): Record<string, string[]> =>
  Object.fromEntries(Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : [String(v)]]));

export async function listCosts(o: { guests: number; runs: number; databaseUrl: string }): Promise<void> {
  const database = await postgresDatabase(o.databaseUrl, { largeList: 0, smallList: o.guests, postGuests: 0 });
  const store = await openDatabase({ databaseUrl: database.url, dataDir: '', statementTimeoutMs: 60_000 });
  registerCleanup(() => store.close());
  const host = asHost(fixtures.smallHost.organizationId);
  const list = (query: Query) => listConnections(store.db, guestConnections, host, query);
  // Warms the connection's plans and the table's pages, so the first shape is not charged for them.
  for (let i = 0; i < 20; i++) await list(base);
  console.log('| shape | p50 ms | tokens | ms per token |\n| --- | ---: | ---: | ---: |');
  for (const [name, change] of shapes) {
    const query = { ...base, ...change };
    const times: number[] = [];
    for (let run = 0; run < o.runs + 2; run++) {
      const started = performance.now();
      await list(query);
      if (run >= 2) times.push(performance.now() - started); // the first two warm the caches
    }
    const tokens = requestCost(rawQuery(query));
    console.log(`| ${name} | ${median(times).toFixed(2)} | ${tokens} | ${(median(times) / tokens).toFixed(2)} |`);
  }
}
