// Numbers of one measured window, and how runs are summarized.
import type { CpuShares } from './cpu.js';
import type { Completion } from './load.js';

export interface Measurement {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  cpu: CpuShares;
}

export function measure(window: Completion[], seconds: number, cpu: CpuShares): Measurement {
  const latencies = window.map((c) => c.latency).sort((a, b) => a - b);
  return {
    requestsPerSecond: window.length / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    requests: window.length,
    cpu,
  };
}

/** Nearest-rank percentile of sorted values; NaN for none. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;
}

export function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 0.5);
}
