import { checkFixedToken } from '../auth.js';
import type { Metrics } from '../metrics.js';
import type { OperationHandlers } from '../operation-types.js';

/** `token`: the operator's METRICS_TOKEN; without one, the metrics are open (the contract's `{}` alternative). */
export function metricsHandlers(metrics: Metrics, token: string | undefined) {
  return {
    async getMetrics(_input, { authorization }) {
      if (token !== undefined) checkFixedToken(authorization, token);
      return { status: 200, mediaType: 'text/plain', body: await metrics.render() };
    },
  } satisfies Pick<OperationHandlers, 'getMetrics'>;
}
