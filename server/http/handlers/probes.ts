import type { OperationHandlers } from '../operation-types.js';
import { serviceUnavailable } from '../problem.js';

// A probe answers within this bound whatever the database's own timeouts are.
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
      throw serviceUnavailable('The database did not answer.');
    }
    return { status: 200, body: { status: 'ok' } };
  },
} satisfies Pick<OperationHandlers, 'getHealth' | 'getReadiness'>;
