// `--mode store-lists` and `--mode list-costs`: the guest-connections list of one host on
// PostgreSQL, each shape timed through the store itself (page and count, no HTTP), the p50 of
// --runs after two warm-up runs, every `total_items` checked against a count(*) of our own.
// store-lists: the sitting's shapes at 10,000 and at --large-list connections, the sizes taking turns.
// list-costs: costly shapes at --guests connections, 50 a page, divided by what the rate limit
// charges for the shape (server/http/request-cost.ts); the charge is fair when that is about the
// same for every shape.
import { requestCost } from '../server/http/request-cost.js';
import { listConnections } from '../server/store/connection-lists.js';
import { guestConnections } from '../server/store/connection-sides.js';
import { openDatabase } from '../server/store/database.js';
import { asHost } from '../server/store/pair.js';
import { expectedTotal, fixtures, postgresDatabase } from './data.js';
import { registerCleanup } from './processes.js';
import { median, table } from './report.js';
import { LIST_SHAPES, type ListShape, listQuery } from './workloads.js';

const base = { search_field: 'guest_name', order_by: 'guest_name', order_dir: 'asc', limit: 25, offset: 0 } as const;
const wildcards = '%_'.repeat(128).slice(0, 255);
const cost = (name: string, query: ListShape['query']): ListShape => ({ name, query: { limit: 50, ...query } });
const COST_SHAPES = [
  cost('a page', {}),
  cost('search "%"', { search_text: '%' }),
  cost('search "a1b"', { search_text: 'a1b' }),
  cost('search "guest" (every row)', { search_text: 'guest' }),
  cost('search 255 × "a"', { search_text: 'a'.repeat(255) }),
  cost('search 255 × "%_"', { search_text: wildcards }),
  cost('search owner_email 255 × "%_"', { search_field: 'owner_email', search_text: wildcards }),
  cost('offset=10000', { offset: 10_000 }),
  cost('offset=19000', { offset: 19_000 }),
  cost('offset=1000000 (past the end)', { offset: 1_000_000 }),
  cost('search 255 × "%_", offset=19000', { search_text: wildcards, offset: 19_000 }),
];

/** `sizes`: [10,000, the large size] for store-lists, [--guests] for list-costs. */
export async function storeLists(o: { sizes: number[]; runs: number; databaseUrl: string }): Promise<void> {
  const costs = o.sizes.length === 1;
  const database = await postgresDatabase(o.databaseUrl, { smallList: o.sizes[0], largeList: o.sizes[1] });
  const store = await openDatabase({ databaseUrl: database.url, dataDir: '', statementTimeoutMs: 60_000 });
  registerCleanup(() => store.close());
  const hosts = [fixtures.smallHost, fixtures.largeHost].slice(0, o.sizes.length).map((h) => h.organizationId);
  /** p50 ms of a shape's list of each host, taking turns, over `runs` after two warm-up runs; whether every `total_items` was exact. */
  const p50s = async (runs: number, shape: ListShape) => {
    const expected = await Promise.all(hosts.map((host) => expectedTotal(database, host, shape)));
    const times = hosts.map((): number[] => []);
    let exact = true;
    for (let run = 0; run < runs + 2; run++) {
      for (const [i, host] of hosts.entries()) {
        const started = performance.now();
        const list = await listConnections(store.db, guestConnections, asHost(host), { ...base, ...listQuery(shape) });
        if (run >= 2) times[i]?.push(performance.now() - started);
        exact &&= list.total_items === expected[i];
      }
    }
    return { p50: times.map(median), exact };
  };
  // Warms the connection's plans and the table's pages, so the first shape is not charged for them.
  await p50s(18, { name: 'a page', query: {} });
  const rows = [];
  for (const shape of costs ? COST_SHAPES : LIST_SHAPES) {
    const { p50, exact } = await p50s(o.runs, shape);
    const [small = Number.NaN, large = Number.NaN] = p50;
    // The query as the rate limit sees it: the raw query string's values.
    const raw = Object.entries({ ...base, ...listQuery(shape) }).map(([k, v]) => [k, [v].flat().map(String)]);
    const tokens = requestCost(Object.fromEntries(raw));
    const figures = costs ? [tokens, (small / tokens).toFixed(2)] : [(large / small).toFixed(2)];
    rows.push([shape.name, ...p50.map((ms) => ms.toFixed(2)), ...figures, exact ? 'yes' : 'NO']);
  }
  const sizes = o.sizes.map((n) => `p50 ms at ${n.toLocaleString('en-US')}`);
  const columns = costs ? ['tokens', 'ms per token'] : ['ratio'];
  console.log(table(['shape', ...sizes, ...columns, 'total_items exact'], rows, 1));
}
