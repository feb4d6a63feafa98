// Whether the server's memory stays flat over many requests.
import type { Job } from './generator.js';
import { report, span, type Sitting, type Window } from './measure.js';
import { residentBytes } from './proc.js';
import { origins, type TargetName } from './targets.js';
import { getRequest } from './workloads.js';

export interface Memory {
  target: TargetName;
  workload: string;
  requests: number;
  /** Resident memory in bytes: before the requests (after a warm-up), the highest seen, after them. */
  before: number;
  peak: number;
  after: number;
}

/**
 * RSS of the server on PostgreSQL before and after `memoryRequests` requests of one workload,
 * or as many as `maxSeconds` allow (the sitting must end before its watchdog).
 */
export async function measureMemory(
  sitting: Sitting,
  maxSeconds: number,
): Promise<{ memory: Memory; window: Window } | undefined> {
  const target = sitting.targets.get('server-postgres');
  const pid = target?.processes[0]?.pid;
  if (target === undefined || pid === undefined) return undefined;
  let before = Number.NaN;
  let peak = 0;
  const watch = setInterval(() => (peak = Math.max(peak, residentBytes(pid) || 0)), 500);
  const job: Job = {
    origins: origins(target),
    connections: sitting.options.connections,
    requests: [getRequest(target.base, sitting.sign)],
    once: false,
    expect: 200,
    warmup: span(sitting.options.warmup),
    measure: { seconds: 0, minRequests: sitting.options.memoryRequests, maxSeconds },
    pids: [pid],
  };
  try {
    const outcome = await sitting.generator.run(job, () => {
      before = residentBytes(pid);
    });
    const after = residentBytes(pid);
    const window = report(sitting, {
      target: target.name,
      workload: 'memory: get',
      run: 0,
      connections: job.connections,
      outcome,
      databaseCpuSeconds: undefined,
    });
    return {
      memory: {
        target: target.name,
        workload: 'get',
        requests: outcome.requests,
        before,
        peak: Math.max(peak, after),
        after,
      },
      window,
    };
  } finally {
    clearInterval(watch);
  }
}
