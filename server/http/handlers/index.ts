import type { TokenIssuer } from '../../domain/tokens.js';
import type { OperationHandlers } from '../operation-types.js';
import type { RateLimits } from '../rate-limits.js';
import { guestConnectionHandlers } from './guest-connections.js';
import { guestInvitationHandlers } from './guest-invitations.js';
import { hostConnectionHandlers } from './host-connections.js';
import { organizationHandlers } from './organizations.js';
import { probeHandlers } from './probes.js';
import { tokenHandlers } from './token.js';

/** Every operation of the contract: `satisfies` makes a missing or mistyped handler a compile error. */
export function createHandlers(tokens: TokenIssuer, rateLimits: RateLimits): OperationHandlers {
  return {
    ...tokenHandlers(tokens, rateLimits),
    ...probeHandlers,
    ...organizationHandlers,
    ...guestInvitationHandlers,
    ...hostConnectionHandlers,
    ...guestConnectionHandlers,
  } satisfies OperationHandlers;
}
