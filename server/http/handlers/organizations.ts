import { getOrganization } from '../../domain/organizations.js';
import type { OperationHandlers } from '../operation-types.js';

export const organizationHandlers = {
  async getOrganization({ path }, { store, caller }) {
    return { status: 200, body: await getOrganization(store.db, caller.targetOrganizationId, path.org_id) };
  },
} satisfies Pick<OperationHandlers, 'getOrganization'>;
