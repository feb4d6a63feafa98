// `npx tsx bench/store-lists.ts`: the guest-connections list of one host with 10,000 and with
// 1,000,000 connections on PostgreSQL, every list shape timed through the store itself
// (listConnections, page and count), no HTTP. Not a test and not part of `npm run bench`: a
// quick check of issue #8's targets (each shape's p50 at 1,000,000 at most twice its p50 at
// 10,000, a search within 50 ms, total_items exact). The data is bench/data.ts's bulk load in
// a scratch database of its own, dropped at the end unless `--keep` (then `--database` reuses it).
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase } from '../server/store/database.js';
import {
  guestConnections,
  type GuestConnectionOrder,
  type GuestConnectionSearchField,
} from '../server/store/connection-sides.js';
import { listConnections, type ConnectionListQuery } from '../server/store/connection-lists.js';
import { asHost } from '../server/store/pair.js';
import { operations } from '../generated/operations.js';
import { cleanUp, guard, registerCleanup, runMain } from './cleanup.js';
import { fixtures } from './data.js';
import { loadPostgres, postgresDatabase } from './databases.js';
import { DEEP_OFFSET, LIST_LIMIT } from './workloads.js';

const { values: args } = parseArgs({
  options: {
    'database-url': {
      type: 'string',
      default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
    large: { type: 'string', default: '1000000' },
    small: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '20' },
    keep: { type: 'boolean', default: false },
    database: { type: 'string' },
  },
});

type Query = ConnectionListQuery<GuestConnectionSearchField, GuestConnectionOrder>;
const base: Query = {
  statuses: ['connected'],
  search_field: 'guest_name',
  order_by: 'guest_name',
  order_dir: 'asc',
  limit: LIST_LIMIT,
  offset: 0,
};

/** Every order both ways (from the contract), a search on each field, a deep offset, and the other filters. */
function shapes(): { name: string; query: Query }[] {
  const orderBy = operations.listGuestConnections.parameters.find((p) => p.name === 'order_by')?.schema;
  const orders = (orderBy !== undefined && 'enum' in orderBy ? orderBy.enum : []) as GuestConnectionOrder[];
  const searches = [
    ['guest_name', 'a1b'],
    ['guest_email', 'c2d'],
    ['owner_email', 'e3f'],
  ] as const;
  return [
    ...orders.flatMap((order_by) =>
      (['asc', 'desc'] as const).map((order_dir) => ({
        name: `order_by=${order_by} ${order_dir}`,
        query: { ...base, order_by, order_dir },
      })),
    ),
    ...searches.map(([search_field, search_text]) => ({
      name: `search ${search_field} "${search_text}"`,
      query: { ...base, search_field, search_text },
    })),
    { name: `offset=${DEEP_OFFSET}`, query: { ...base, offset: DEEP_OFFSET } },
    { name: 'both statuses', query: { ...base, statuses: ['connected', 'disconnected'] } },
    { name: 'archived=true', query: { ...base, archived: true } },
    {
      name: 'disconnected, archived=true, offset=400',
      query: { ...base, statuses: ['disconnected'], archived: true, offset: 400 },
    },
  ];
}

/** total_items counted here, the slow way: a join with organizations and strpos on lower(). */
async function expectedTotal(client: pg.Client, host: string, query: Query): Promise<number> {
  const field = { guest_name: 'g.name', guest_email: 'g.email', owner_email: 'g.owner_email' }[query.search_field];
  const { rows } = await client.query<{ total: string }>(
    `select count(*) as total from connections c join organizations g on g.id = c.guest_organization_id
     where c.host_organization_id = $1 and c.status = any($2)
       and ($3::boolean is null or c.host_archived = $3) and ($4::text is null or strpos(lower(${field}), lower($4)) > 0)`,
    [host, query.statuses, query.archived ?? null, query.search_text ?? null],
  );
  return Number(rows[0]?.total);
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

async function main(): Promise<void> {
  const sizes = { largeList: Number(args.large), smallList: Number(args.small), postGuests: 0 };
  let url: string;
  if (args.database === undefined) {
    const database = await postgresDatabase(args['database-url'] ?? '', args.keep ? () => {} : registerCleanup);
    const started = performance.now();
    await loadPostgres(database, sizes);
    process.stderr.write(`loaded ${database.name} in ${Math.round((performance.now() - started) / 1000)} s\n`);
    url = database.url;
  } else {
    const server = new URL(args['database-url'] ?? '');
    server.pathname = `/${args.database}`;
    url = server.toString();
  }
  const store = await openDatabase({ databaseUrl: url, dataDir: '', statementTimeoutMs: 60_000 });
  registerCleanup(() => store.close());
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  registerCleanup(() => client.end());

  const runs = Number(args.runs);
  const hosts = [
    [sizes.smallList, fixtures.smallHost.organizationId],
    [sizes.largeList, fixtures.largeHost.organizationId],
  ] as const;
  console.log(
    `| shape | p50 ms at ${sizes.smallList.toLocaleString('en-US')} | p50 ms at ${sizes.largeList.toLocaleString('en-US')} | ratio | total_items exact |`,
  );
  console.log('| --- | ---: | ---: | ---: | --- |');
  // The two sizes take turns, run by run, so a change in the machine's load hits both alike.
  for (const { name, query } of shapes()) {
    const expected = await Promise.all(hosts.map(([, host]) => expectedTotal(client, host, query)));
    const times: number[][] = hosts.map(() => []);
    let exact = true;
    for (let run = 0; run < runs + 2; run++) {
      for (const [index, [, host]] of hosts.entries()) {
        const started = performance.now();
        const { total_items: total } = await listConnections(store.db, guestConnections, asHost(host), query);
        if (run >= 2) times[index]?.push(performance.now() - started); // the first two warm the caches
        exact &&= total === expected[index];
      }
    }
    const [small = Number.NaN, large = Number.NaN] = times.map(median);
    console.log(
      `| ${name} | ${small.toFixed(1)} | ${large.toFixed(1)} | ${(large / small).toFixed(2)} | ${exact ? 'yes' : 'NO'} |`,
    );
  }
  if (args.keep && args.database === undefined) process.stderr.write(`kept ${new URL(url).pathname.slice(1)}\n`);
}

guard(60 * 60 * 1000);
runMain(async () => {
  await main();
  await cleanUp();
  process.exit(process.exitCode ?? 0); // a kept database's admin connection stays open otherwise
});
