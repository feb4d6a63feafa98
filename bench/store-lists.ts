// `--mode store-lists`: the guest-connections list of one host with 10,000 and with --large-list
// connections on PostgreSQL, every list shape timed through the store itself (page and count, no
// HTTP), p50 of --runs after two warm-up runs, the two sizes taking turns; total_items checked.
import { guestConnections } from '../server/store/connection-sides.js';
import { listConnections } from '../server/store/connection-lists.js';
import { asHost } from '../server/store/pair.js';
import { openDatabase } from '../server/store/database.js';
import { expectedTotal, fixtures, postgresDatabase } from './data.js';
import { registerCleanup } from './processes.js';
import { median } from './report.js';
import { SMALL_LIST } from './sitting.js';
import { LIST_SHAPES, listQuery } from './workloads.js';

export async function storeLists(o: { large: number; runs: number; databaseUrl: string }): Promise<void> {
  const started = performance.now();
  const database = await postgresDatabase(o.databaseUrl, { largeList: o.large, smallList: SMALL_LIST, postGuests: 0 });
  process.stderr.write(`loaded in ${Math.round((performance.now() - started) / 1000)} s\n`);
  const store = await openDatabase({ databaseUrl: database.url, dataDir: '', statementTimeoutMs: 60_000 });
  registerCleanup(() => store.close());
  const sizes = [SMALL_LIST, o.large].map((n) => n.toLocaleString('en-US'));
  console.log(
    `| shape | p50 ms at ${sizes[0]} | p50 ms at ${sizes[1]} | ratio | total_items exact |\n| --- | ---: | ---: | ---: | --- |`,
  );
  const hosts = [fixtures.smallHost.organizationId, fixtures.largeHost.organizationId];
  for (const shape of LIST_SHAPES) {
    const query = {
      search_field: 'guest_name',
      order_by: 'guest_name',
      order_dir: 'asc',
      offset: 0,
      limit: 25,
      ...listQuery(shape),
    } as const;
    const expected = await Promise.all(hosts.map((host) => expectedTotal(database, host, shape)));
    const times: number[][] = [[], []];
    let exact = true;
    for (let run = 0; run < o.runs + 2; run++) {
      for (const [index, host] of hosts.entries()) {
        const start = performance.now();
        const { total_items: total } = await listConnections(store.db, guestConnections, asHost(host), query);
        if (run >= 2) times[index]?.push(performance.now() - start); // the first two warm the caches
        exact &&= total === expected[index];
      }
    }
    const [small = Number.NaN, large = Number.NaN] = times.map(median);
    console.log(
      `| ${shape.name} | ${small.toFixed(1)} | ${large.toFixed(1)} | ${(large / small).toFixed(2)} | ${exact ? 'yes' : 'NO'} |`,
    );
  }
}
