import { ProblemError } from '../../domain/problems.js';
import type { OperationHandlers } from '../operation-types.js';

// A probe must answer even when the database hangs rather than refuses (pg waits for a
// connection without a time limit).
const READINESS_TIMEOUT_MS = 2000;

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export const probeHandlers = {
  async getHealth() {
    return { status: 200, body: { status: 'ok' } };
  },
  async getReadiness(_input, { store }) {
    try {
      await withTimeout(store.ping(), READINESS_TIMEOUT_MS);
    } catch {
      throw new ProblemError('database_unavailable', 'The database did not answer.');
    }
    return { status: 200, body: { status: 'ok' } };
  },
} satisfies Pick<OperationHandlers, 'getHealth' | 'getReadiness'>;
