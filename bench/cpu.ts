// Where the cores went during a measured window, from /proc: the server processes, this
// generator, the PostgreSQL backends serving the benchmark's database, and everything else.
import { readFileSync } from 'node:fs';

export interface CpuShares {
  /** Each in % of one core (the machine has 2, so 200 is everything). */
  server: number;
  generator: number;
  /** PostgreSQL backends of the benchmark's database; 0 with PGlite, which runs inside the server. */
  database: number;
  /** Everything else busy on the machine: other people's processes, the kernel. */
  other: number;
}

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on Linux/x86

/** A process's user+system seconds, its threads included; 0 once it is gone. */
export function processCpuSeconds(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  // The command name may hold spaces; the fields after it are fixed: utime is the 12th, stime the 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Seconds the whole machine has been busy (neither idle nor waiting for I/O) since boot. */
export function machineBusySeconds(): number {
  const [, ...values] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/);
  const ticks = values.map(Number);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return (ticks.reduce((sum, t) => sum + t, 0) - idle) / TICKS_PER_SECOND;
}

interface Sample {
  at: number;
  server: number;
  generator: number;
  database: Map<number, number>;
  machine: number;
}

/**
 * CPU used from start() to stop(), each effective once. Backends are looked up at both ends: one
 * that appeared in between counts whole, one that vanished is lost to `other`.
 */
export function cpuProbe(serverPids: number[], databasePids: () => Promise<number[]>) {
  const sample = async (): Promise<Sample> => {
    const backends = await databasePids();
    return {
      at: performance.now(),
      server: serverPids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0),
      generator: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
      database: new Map(backends.map((pid) => [pid, processCpuSeconds(pid)])),
      machine: machineBusySeconds(),
    };
  };
  let first: Promise<Sample> | undefined;
  let last: Promise<Sample> | undefined;
  return {
    start: (): void => void (first ??= sample()),
    stop: (): void => void (first !== undefined && (last ??= sample())),
    async shares(): Promise<CpuShares> {
      if (first === undefined || last === undefined) return { server: Number.NaN, generator: Number.NaN, database: Number.NaN, other: Number.NaN };
      const [a, b] = [await first, await last];
      const pct = (seconds: number): number => Math.round((seconds / ((b.at - a.at) / 1000)) * 100);
      const server = b.server - a.server;
      const generator = b.generator - a.generator;
      let database = 0;
      for (const [pid, seconds] of b.database) database += seconds - (a.database.get(pid) ?? 0);
      const other = b.machine - a.machine - server - generator - database;
      return { server: pct(server), generator: pct(generator), database: pct(database), other: pct(other) };
    },
  };
}
