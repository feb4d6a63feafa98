import type { TokenIssuer } from '../../domain/tokens.js';
import type { OperationHandlers } from '../operation-types.js';
import { guestConnectionHandlers } from './guest-connections.js';
import { guestInvitationHandlers } from './guest-invitations.js';
import { hostConnectionHandlers } from './host-connections.js';
import { organizationHandlers } from './organizations.js';
import { probeHandlers } from './probes.js';
import { tokenHandlers } from './token.js';

/** Every operation of the contract: `satisfies` makes a missing or mistyped handler a compile error. */
export function createHandlers(tokens: TokenIssuer): OperationHandlers {
  return {
    ...tokenHandlers(tokens),
    ...probeHandlers,
    ...organizationHandlers,
    ...guestInvitationHandlers,
    ...hostConnectionHandlers,
    ...guestConnectionHandlers,
  } satisfies OperationHandlers;
}
