// Statements per request, counted on instances of their own behind the counting proxy.
import type { Job, RequestSpec } from './generator.js';
import type { Sitting } from './measure.js';
import type { StatementCounter } from './statements.js';
import { origins, pids, type Target, type TargetName } from './targets.js';
import { getRequest, guestListRequest, LIST_SHAPES, listRequest, postRequest } from './workloads.js';

export interface StatementCount {
  target: TargetName;
  workload: string;
  perRequest: number;
  /** The SQL of one request, in the order sent. */
  sql: string[];
}

/** An instance of its own whose PostgreSQL traffic goes through a statement counter. */
export interface Counted {
  target: Target;
  counter: StatementCounter;
}

interface CountedWorkload {
  name: string;
  expect: number;
  /** How many requests warm up, how many are counted, and the requests to send. */
  warmups: number;
  times: number;
  requests(count: number): RequestSpec[];
}

/**
 * Statements per request, one request at a time through the counting proxy: each main workload
 * 10 times after 2 warm-up requests, each list shape once after one. The list shapes run on
 * the server only (the bare handlers do the three main workloads) and at 10,000: the requests
 * at 1,000,000 differ by the host's id only.
 */
export async function measureStatements(
  sitting: Sitting,
  counted: { server: Counted; bare: Counted },
): Promise<StatementCount[]> {
  const { sign } = sitting;
  const repeat = (spec: RequestSpec) => (count: number) => Array.from({ length: count }, () => spec);
  const main: CountedWorkload[] = [
    { name: 'get', expect: 200, warmups: 2, times: 10, requests: repeat(getRequest('/v1', sign)) },
    { name: 'list', expect: 200, warmups: 2, times: 10, requests: repeat(listRequest('/v1', sign)) },
    {
      name: 'post',
      expect: 201,
      warmups: 2,
      times: 10,
      requests: (count) => sitting.countingGuests.take(count).map((i) => postRequest('/v1', sign, i)),
    },
  ];
  const shapes: CountedWorkload[] = LIST_SHAPES.map((shape) => ({
    name: `guest list: ${shape.name}`,
    expect: 200,
    warmups: 1,
    times: 1,
    requests: repeat(guestListRequest('/v1', sign, 'small', shape)),
  }));
  const counts: StatementCount[] = [];
  for (const [{ target, counter }, workloads] of [
    [counted.server, [...main, ...shapes]],
    [counted.bare, main],
  ] as const) {
    for (const workload of workloads) {
      const job = (requests: RequestSpec[]): Job => ({
        origins: origins(target),
        connections: 1,
        requests,
        once: true,
        expect: workload.expect,
        warmup: { seconds: 0, minRequests: 0, maxSeconds: 0 },
        measure: { seconds: 0, minRequests: requests.length, maxSeconds: 120 },
        pids: pids(target),
      });
      const warm = await sitting.generator.run(job(workload.requests(workload.warmups)));
      counter.take();
      const outcome = await sitting.generator.run(job(workload.requests(workload.times)));
      const { count, sql } = counter.take();
      const errors = warm.errors + outcome.errors;
      if (errors > 0)
        throw new Error(
          `counting ${workload.name} on ${target.name}: ${errors} unexpected answers (first: ${warm.firstError ?? outcome.firstError})`,
        );
      const perRequest = count / workload.times;
      counts.push({
        target: target.name,
        workload: workload.name,
        perRequest,
        sql: sql.slice(0, Math.round(perRequest)),
      });
      sitting.progress(`[statements] ${target.name} ${workload.name}: ${perRequest} per request`);
    }
  }
  return counts;
}
