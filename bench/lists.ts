// The guest-connections list shapes at both sizes, on the server on PostgreSQL.
import pg from 'pg';
import { expectedTotals, fixtures } from './data.js';
import type { PostgresDatabase } from './databases.js';
import type { Job } from './generator.js';
import { measured, report, span, type Options, type Sitting, type Window } from './measure.js';
import { origins, pids } from './targets.js';
import { guestListRequest, LIST_SHAPES, LIST_SIZES, type ListShape, type ListSize } from './workloads.js';

/** What `total_items` must be, per size and shape, from a count of our own. */
export async function listTotals(database: PostgresDatabase): Promise<Record<ListSize, Map<string, number>>> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const searches = LIST_SHAPES.flatMap((shape) => (shape.search === undefined ? [] : [shape.search]));
    const totals = {} as Record<ListSize, Map<string, number>>;
    for (const size of LIST_SIZES) {
      const host = size === 'large' ? fixtures.largeHost : fixtures.smallHost;
      const counted = await expectedTotals((sql, params) => client.query(sql, params), host.organizationId, searches);
      const total = (shape: ListShape): number =>
        shape.search === undefined ? counted.all : (counted.search[searches.indexOf(shape.search)] ?? Number.NaN);
      totals[size] = new Map(LIST_SHAPES.map((shape) => [shape.name, total(shape)]));
    }
    return totals;
  } finally {
    await client.end();
  }
}

/** This many answers per list shape, unless that takes over twice its seconds (then as many as came, at least one). */
const LIST_MIN_REQUESTS = 3;

export const listWorkload = (options: Options, size: ListSize, shape: ListShape): string =>
  `guest list ${options.listSizes[size].toLocaleString('en-US')}: ${shape.name}`;

/**
 * Every list shape at both sizes, one request at a time: the targets are latencies of one
 * request, and at 16 in flight the p50 would be mostly queueing. Shape by shape, 10,000 then
 * 1,000,000, so a drift of the machine hits both sizes alike.
 */
export async function measureLists(sitting: Sitting, totals: Record<ListSize, Map<string, number>>): Promise<Window[]> {
  const target = sitting.targets.get('server-postgres');
  if (target === undefined) return [];
  const windows: Window[] = [];
  for (const [index, shape] of LIST_SHAPES.entries()) {
    for (const size of LIST_SIZES) {
      const seconds = sitting.options.listSeconds[size];
      const job: Job = {
        origins: origins(target),
        connections: 1,
        requests: [guestListRequest(target.base, sitting.sign, size, shape)],
        once: false,
        expect: 200,
        totalItems: totals[size].get(shape.name),
        // The first shape warms the caches for all; each 10,000 shape gets a short warm-up of its own.
        warmup:
          size === 'large'
            ? { seconds: 0, minRequests: index === 0 ? 1 : 0, maxSeconds: index === 0 ? 60 : 0 }
            : span(0.2),
        measure: { seconds, minRequests: LIST_MIN_REQUESTS, maxSeconds: seconds * 2 },
        pids: pids(target),
      };
      windows.push(
        report(sitting, {
          target: target.name,
          workload: listWorkload(sitting.options, size, shape),
          run: 0,
          connections: 1,
          ...(await measured(sitting, target, job)),
        }),
      );
    }
  }
  return windows;
}
