// `npx tsx bench/list-costs.ts`: what the request budget of one organization costs the database,
// by list shape (issue #15, item 3). A host with 20,000 guests on PostgreSQL; each shape's list
// is timed through the store (page and count, no HTTP), p50 of `--runs`; then its time is
// divided by what the rate limit charges for it (server/http/request-cost.ts), which is the
// database time one token of the budget buys. The charge is fair when that time is about the
// same for every shape. Not a test and not part of `npm run bench`.
import { parseArgs } from 'node:util';
import { openDatabase } from '../server/store/database.js';
import {
  guestConnections,
  type GuestConnectionOrder,
  type GuestConnectionSearchField,
} from '../server/store/connection-sides.js';
import { listConnections, type ConnectionListQuery } from '../server/store/connections.js';
import { requestCost } from '../server/http/request-cost.js';
import { cleanUp, guard, registerCleanup, runMain } from './cleanup.js';
import { fixtures } from './data.js';
import { loadPostgres, postgresDatabase } from './databases.js';

const { values: args } = parseArgs({
  options: {
    'database-url': {
      type: 'string',
      default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
    guests: { type: 'string', default: '20000' },
    runs: { type: 'string', default: '30' },
  },
});

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
const shapes: { name: string; query: Query }[] = [
  { name: 'a page', query: base },
  { name: 'a page, order_by=created_at', query: { ...base, order_by: 'created_at' } },
  { name: 'search "%"', query: { ...base, search_text: '%' } },
  { name: 'search "a1b"', query: { ...base, search_text: 'a1b' } },
  { name: 'search "guest" (every row)', query: { ...base, search_text: 'guest' } },
  { name: 'search 255 × "a"', query: { ...base, search_text: 'a'.repeat(255) } },
  { name: 'search 255 × "%_"', query: { ...base, search_text: wildcards } },
  { name: 'search owner_email 255 × "%_"', query: { ...base, search_field: 'owner_email', search_text: wildcards } },
  { name: 'offset=1000', query: { ...base, offset: 1000 } },
  { name: 'offset=5000', query: { ...base, offset: 5000 } },
  { name: 'offset=10000', query: { ...base, offset: 10_000 } },
  { name: 'offset=19000', query: { ...base, offset: 19_000 } },
  { name: 'offset=1000000 (past the end)', query: { ...base, offset: 1_000_000 } },
  { name: 'search 255 × "%_", offset=19000', query: { ...base, search_text: wildcards, offset: 19_000 } },
];

/** The query as the rate limit sees it: the raw query string's values. */
function rawQuery(query: Query): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(query).map(([name, value]) => [name, Array.isArray(value) ? value.map(String) : [String(value)]]),
  );
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

async function main(): Promise<void> {
  const guests = Number(args.guests);
  const database = await postgresDatabase(args['database-url'] ?? '', registerCleanup);
  await loadPostgres(database, { largeList: 0, smallList: guests, postGuests: 0 });
  const store = await openDatabase({ databaseUrl: database.url, dataDir: '', statementTimeoutMs: 60_000 });
  registerCleanup(() => store.close());
  const host = fixtures.smallHost.organizationId;
  const runs = Number(args.runs);
  // Warms the connection's plans and the table's pages, so the first shape is not charged for them.
  for (let i = 0; i < 20; i++) await listConnections(store.db, guestConnections, host, base);
  console.log(`| shape | p50 ms | tokens | ms per token |`);
  console.log('| --- | ---: | ---: | ---: |');
  for (const { name, query } of shapes) {
    const times: number[] = [];
    for (let run = 0; run < runs + 2; run++) {
      const started = performance.now();
      await listConnections(store.db, guestConnections, host, query);
      if (run >= 2) times.push(performance.now() - started); // the first two warm the caches
    }
    const p50 = median(times);
    const tokens = requestCost(rawQuery(query));
    console.log(`| ${name} | ${p50.toFixed(2)} | ${tokens} | ${(p50 / tokens).toFixed(2)} |`);
  }
}

guard(30 * 60 * 1000);
runMain(async () => {
  await main();
  await cleanUp();
  process.exit(process.exitCode ?? 0);
});
