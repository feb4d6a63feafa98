import { createGuestConnectionAction, listGuestConnectionActions } from '../../domain/connection-actions.js';
import { getGuestConnection, listGuestConnections, updateGuestConnection } from '../../domain/guest-connections.js';
import { asGuest, asHost, type Pair } from '../../store/pair.js';
import type { OperationHandlers } from '../operation-types.js';

/** The host (the caller) and the guest its path names. */
const withGuest = (caller: { organizationId: string }, guestOrgId: string): Pair => ({
  host: asHost(caller.organizationId),
  guest: asGuest(guestOrgId),
});

export const guestConnectionHandlers = {
  async listGuestConnections({ query }, { store, caller }) {
    return { status: 200, body: await listGuestConnections(store.db, asHost(caller.organizationId), query) };
  },
  async getGuestConnection({ path }, { store, caller }) {
    return { status: 200, body: await getGuestConnection(store.db, withGuest(caller, path.guest_org_id)) };
  },
  async updateGuestConnection({ path, body }, { store, caller }) {
    return { status: 200, body: await updateGuestConnection(store.db, withGuest(caller, path.guest_org_id), body) };
  },
  async createGuestConnectionAction({ path, body }, { store, caller }) {
    const pair = withGuest(caller, path.guest_org_id);
    return { status: 201, body: await createGuestConnectionAction(store.db, pair, body.action_type) };
  },
  async listGuestConnectionActions({ path, query }, { store, caller }) {
    const pair = withGuest(caller, path.guest_org_id);
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
