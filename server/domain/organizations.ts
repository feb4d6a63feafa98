import type { Kysely } from 'kysely';
import type { components } from '../../generated/openapi.js';
import { findOrganization } from '../store/organizations.js';
import type { Database } from '../store/schema.js';
import { toOrganization } from './mappers.js';
import { ProblemError } from './problems.js';

/**
 * The target organization. The caller may only read the organization the scenario check
 * let it reach: any other `org_id` answers 404, as if it did not exist.
 */
export async function getOrganization(
  db: Kysely<Database>,
  targetOrganizationId: string,
  orgId: string,
): Promise<components['schemas']['Organization']> {
  const organization =
    orgId.toLowerCase() === targetOrganizationId.toLowerCase() ? await findOrganization(db, orgId) : undefined;
  if (organization === undefined) throw new ProblemError('organization_not_found', 'No such organization.');
  return toOrganization(organization);
}
