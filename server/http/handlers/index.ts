import type { TokenIssuer } from '../../domain/tokens.js';
import type { WebhookPolicy } from '../../domain/webhook-urls.js';
import type { Metrics } from '../metrics.js';
import type { OperationHandlers } from '../operation-types.js';
import type { RateLimits } from '../rate-limits.js';
import { guestConnectionHandlers } from './guest-connections.js';
import { guestInvitationHandlers } from './guest-invitations.js';
import { hostConnectionHandlers } from './host-connections.js';
import { metricsHandlers } from './metrics.js';
import { organizationHandlers } from './organizations.js';
import { probeHandlers } from './probes.js';
import { referenceHandlers } from './reference.js';
import { tokenHandlers } from './token.js';
import { webhookEndpointHandlers } from './webhook-endpoints.js';

/** Every operation of the contract: `satisfies` makes a missing or mistyped handler a compile error. */
export function createHandlers(
  tokens: TokenIssuer,
  rateLimits: RateLimits,
  metrics: { metrics: Metrics; token: string | undefined },
  webhookPolicy: WebhookPolicy,
): OperationHandlers {
  return {
    ...tokenHandlers(tokens, rateLimits),
    ...probeHandlers,
    ...referenceHandlers,
    ...metricsHandlers(metrics.metrics, metrics.token),
    ...organizationHandlers,
    ...guestInvitationHandlers,
    ...hostConnectionHandlers,
    ...guestConnectionHandlers,
    ...webhookEndpointHandlers(webhookPolicy),
  } satisfies OperationHandlers;
}
