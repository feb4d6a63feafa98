// `--mode store-lists` and `--mode list-costs`: the guest-connections list of one host on
// PostgreSQL, each shape timed through the store itself (page and count, no HTTP), the p50 of
// --runs after two warm-up runs.
// store-lists: at 10,000 and at --large-list connections, the two sizes taking turns, total_items checked.
// list-costs: at --guests connections, divided by what the rate limit charges for the shape
// (server/http/request-cost.ts); the charge is fair when that is about the same for every shape.
import { requestCost } from '../server/http/request-cost.js';
import type { ConnectionListQuery } from '../server/store/connection-lists.js';
import { listConnections } from '../server/store/connection-lists.js';
import type { GuestConnectionOrder, GuestConnectionSearchField } from '../server/store/connection-sides.js';
import { guestConnections } from '../server/store/connection-sides.js';
import { openDatabase } from '../server/store/database.js';
import { asHost } from '../server/store/pair.js';
import { expectedTotal, fixtures, postgresDatabase, type Sizes } from './data.js';
import { registerCleanup } from './processes.js';
import { median, tableHead, tableRow } from './report.js';
import { SMALL_LIST } from './sitting.js';
import { LIST_SHAPES, listQuery } from './workloads.js';

type Query = ConnectionListQuery<GuestConnectionSearchField, GuestConnectionOrder>;
const base = { search_field: 'guest_name', order_by: 'guest_name', order_dir: 'asc', offset: 0 } as const;

/** A loaded scratch database and a host's list on it through the store. */
async function lists(databaseUrl: string, sizes: Sizes) {
  const database = await postgresDatabase(databaseUrl, sizes);
  const store = await openDatabase({ databaseUrl: database.url, dataDir: '', statementTimeoutMs: 60_000 });
  registerCleanup(() => store.close());
  const list = (host: string, query: Query) => listConnections(store.db, guestConnections, asHost(host), query);
  return { database, list };
}

/** p50 ms of each of `lists`, taking turns, over `runs` after two warm-up runs. */
async function p50s(runs: number, lists: (() => Promise<unknown>)[]): Promise<number[]> {
  const times = lists.map((): number[] => []);
  for (let run = 0; run < runs + 2; run++) {
    for (const [index, list] of lists.entries()) {
      const started = performance.now();
      await list();
      if (run >= 2) times[index]?.push(performance.now() - started);
    }
  }
  return times.map(median);
}

export async function storeLists(o: { large: number; runs: number; databaseUrl: string }): Promise<void> {
  const { database, list } = await lists(o.databaseUrl, { largeList: o.large, smallList: SMALL_LIST, postGuests: 0 });
  const hosts = [fixtures.smallHost.organizationId, fixtures.largeHost.organizationId];
  const sizes = [SMALL_LIST, o.large].map((n) => n.toLocaleString('en-US'));
  console.log(tableHead(['shape', `p50 ms at ${sizes[0]}`, `p50 ms at ${sizes[1]}`, 'ratio', 'total_items exact']));
  for (const shape of LIST_SHAPES) {
    const expected = await Promise.all(hosts.map((host) => expectedTotal(database, host, shape)));
    let exact = true;
    const [small = Number.NaN, large = Number.NaN] = await p50s(
      o.runs,
      hosts.map((host, index) => async () => {
        exact &&= (await list(host, { ...base, limit: 25, ...listQuery(shape) })).total_items === expected[index];
      }),
    );
    console.log(
      tableRow([shape.name, small.toFixed(1), large.toFixed(1), (large / small).toFixed(2), exact ? 'yes' : 'NO']),
    );
  }
}

const wildcards = '%_'.repeat(128).slice(0, 255);
const COST_SHAPES: [string, Partial<Query>][] = [
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

export async function listCosts(o: { guests: number; runs: number; databaseUrl: string }): Promise<void> {
  const { list } = await lists(o.databaseUrl, { largeList: 0, smallList: o.guests, postGuests: 0 });
  const host = fixtures.smallHost.organizationId;
  const page: Query = { ...base, statuses: ['connected'], limit: 50 };
  // Warms the connection's plans and the table's pages, so the first shape is not charged for them.
  await p50s(18, [() => list(host, page)]);
  console.log(tableHead(['shape', 'p50 ms', 'tokens', 'ms per token'], 1));
  for (const [name, change] of COST_SHAPES) {
    const query = { ...page, ...change };
    const [p50 = Number.NaN] = await p50s(o.runs, [() => list(host, query)]);
    // The query as the rate limit sees it: the raw query string's values.
    const tokens = requestCost(Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v].flat().map(String)])));
    console.log(tableRow([name, p50.toFixed(2), tokens, (p50 / tokens).toFixed(2)]));
  }
}
