// The one place that enforces each operation's `x-scenarios`; handlers never check scenarios.
import type { Kysely } from 'kysely';
import type { ContractOperation, Scenario } from '../contract/document.js';
import { connectedRoles } from '../store/scenarios.js';
import type { Database } from '../store/schema.js';
import { HttpProblem } from './problem.js';

/** The scenarios the requester holds towards the target (domain.md, Authorization 3). */
export async function heldScenarios(db: Kysely<Database>, requester: string, target: string): Promise<Scenario[]> {
  if (requester.toLowerCase() === target.toLowerCase()) return ['self'];
  const roles = await connectedRoles(db, requester, target);
  const held: Scenario[] = [];
  if (roles.host) held.push('host');
  if (roles.guest) held.push('guest');
  return held;
}

/** The scenario this call runs in, or 403: none held, or none the operation allows. */
export async function resolveScenario(
  db: Kysely<Database>,
  operation: ContractOperation,
  requester: string,
  target: string,
): Promise<Scenario> {
  const held = await heldScenarios(db, requester, target);
  if (held.length === 0) {
    throw new HttpProblem('not_connected', 'The requester has no connected connection with the target organization.');
  }
  // In the contract's order, so an organization that is both host and guest of the target
  // gets the scenario the operation names first.
  const allowed = operation.scenarios.find((scenario) => held.includes(scenario));
  if (allowed === undefined) {
    throw new HttpProblem('scenario_not_allowed', `This operation does not allow the ${held.join(' or ')} scenario.`);
  }
  return allowed;
}
