import { getOrganization } from '../../domain/organizations.js';
import type { OperationHandlers } from '../operation-types.js';

export const organizationHandlers = {
  async getOrganization({ path }, { store, requester }) {
    return { status: 200, body: await getOrganization(store.db, requester.targetOrganizationId, path.org_id) };
  },
} satisfies Pick<OperationHandlers, 'getOrganization'>;
