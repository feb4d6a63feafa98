// The rules of access (the contract's "Authorization" section): who is calling, from the
// bearer token alone, and in which scenario it reaches the target organization. The HTTP layer
// calls these and turns their answers into statuses and headers; handlers never check access.
import type { Kysely } from 'kysely';
import type { Scenario } from '../contract/document.js';
import type { ActiveClients } from '../store/active-clients.js';
import { connectedRoles } from '../store/connections.js';
import type { Database } from '../store/schema.js';
import { ProblemError } from './problems.js';
import type { TokenIssuer } from './tokens.js';

/** The caller as its token and the API client behind it establish it. */
export interface Identity {
  clientId: string;
  organizationId: string;
}

/**
 * The caller of a well-signed, unexpired token whose API client is not revoked (a revoked
 * client's tokens die with it, before they expire); undefined for any other token. One answer
 * for every failure, so nothing tells a forged token from a revoked client.
 */
export async function authenticate(
  clients: ActiveClients,
  tokens: TokenIssuer,
  token: string,
): Promise<Identity | undefined> {
  const claims = tokens.verify(token);
  if (claims === undefined) return undefined;
  const organizationId = await clients.organizationOf(claims.sub);
  if (organizationId === undefined || organizationId !== claims.org) return undefined;
  return { clientId: claims.sub, organizationId };
}

/** The requester header is only cross-checked against the token, never trusted. */
export function checkRequester(requesterOrganizationId: string, identity: Identity): void {
  if (requesterOrganizationId.toLowerCase() !== identity.organizationId.toLowerCase()) {
    throw new ProblemError('requester_mismatch', 'Requester-Organization-ID is not the organization of the token.');
  }
}

/** The scenarios the requester holds towards the target. */
export async function heldScenarios(db: Kysely<Database>, requester: string, target: string): Promise<Scenario[]> {
  if (requester.toLowerCase() === target.toLowerCase()) return ['self'];
  const roles = await connectedRoles(db, requester, target);
  const held: Scenario[] = [];
  if (roles.host) held.push('host');
  if (roles.guest) held.push('guest');
  return held;
}

/** The scenario this call runs in, among those the operation allows; 403 when none is held or none allowed. */
export async function resolveScenario(
  db: Kysely<Database>,
  allowed: readonly Scenario[],
  requester: string,
  target: string,
): Promise<Scenario> {
  const held = await heldScenarios(db, requester, target);
  if (held.length === 0) {
    throw new ProblemError('not_connected', 'The requester has no connected connection with the target organization.');
  }
  // In the contract's order, so an organization that is both host and guest of the target
  // gets the scenario the operation names first.
  const scenario = allowed.find((s) => held.includes(s));
  if (scenario === undefined) {
    throw new ProblemError('scenario_not_allowed', `This operation does not allow the ${held.join(' or ')} scenario.`);
  }
  return scenario;
}
