import { createGuestConnectionAction, listGuestConnectionActions } from '../../domain/connection-actions.js';
import { getGuestConnection, updateGuestConnection } from '../../domain/guest-connections.js';
import { listConnections } from '../../store/connection-lists.js';
import { guestConnections } from '../../store/connection-sides.js';
import { asGuest, asHost, type Pair } from '../../store/pair.js';
import type { OperationHandlers } from '../operation-types.js';

/** The host (the requester) and the guest its path names. */
const withGuest = (requester: { organizationId: string }, guestOrgId: string): Pair => ({
  host: asHost(requester.organizationId),
  guest: asGuest(guestOrgId),
});

export const guestConnectionHandlers = {
  async listGuestConnections({ query }, { store, requester }) {
    return {
      status: 200,
      body: await listConnections(store.db, guestConnections, asHost(requester.organizationId), query),
    };
  },
  async getGuestConnection({ path }, { store, requester }) {
    return { status: 200, body: await getGuestConnection(store.db, withGuest(requester, path.guest_org_id)) };
  },
  async updateGuestConnection({ path, body }, { store, requester }) {
    return { status: 200, body: await updateGuestConnection(store.db, withGuest(requester, path.guest_org_id), body) };
  },
  async createGuestConnectionAction({ path, body }, { store, requester }) {
    const pair = withGuest(requester, path.guest_org_id);
    return { status: 201, body: await createGuestConnectionAction(store.db, pair, body.action_type) };
  },
  async listGuestConnectionActions({ path, query }, { store, requester }) {
    const pair = withGuest(requester, path.guest_org_id);
    return { status: 200, body: await listGuestConnectionActions(store.db, pair, query) };
  },
} satisfies Pick<
  OperationHandlers,
  | 'listGuestConnections'
  | 'getGuestConnection'
  | 'updateGuestConnection'
  | 'createGuestConnectionAction'
  | 'listGuestConnectionActions'
>;
