import { createGuestConnectionAction, listGuestConnectionActions } from '../../domain/connection-actions.js';
import { getGuestConnection, listGuestConnections, updateGuestConnection } from '../../domain/guest-connections.js';
import type { OperationHandlers } from '../operation-types.js';

export const guestConnectionHandlers = {
  async listGuestConnections({ query }, { store, caller }) {
    return { status: 200, body: await listGuestConnections(store.db, caller.organizationId, query) };
  },
  async getGuestConnection({ path }, { store, caller }) {
    return { status: 200, body: await getGuestConnection(store.db, caller.organizationId, path.guest_org_id) };
  },
  async updateGuestConnection({ path, body }, { store, caller }) {
    return { status: 200, body: await updateGuestConnection(store.db, caller.organizationId, path.guest_org_id, body) };
  },
  async createGuestConnectionAction({ path, body }, { store, caller }) {
    const action = await createGuestConnectionAction(
      store.db,
      caller.organizationId,
      path.guest_org_id,
      body.action_type,
    );
    return { status: 201, body: action };
  },
  async listGuestConnectionActions({ path, query }, { store, caller }) {
    return {
      status: 200,
      body: await listGuestConnectionActions(store.db, caller.organizationId, path.guest_org_id, query),
    };
  },
} satisfies Pick<
  OperationHandlers,
  | 'listGuestConnections'
  | 'getGuestConnection'
  | 'updateGuestConnection'
  | 'createGuestConnectionAction'
  | 'listGuestConnectionActions'
>;
