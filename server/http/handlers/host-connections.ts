import { listHostConnectionActions, resolveHostConnectionAction } from '../../domain/connection-actions.js';
import { createHostConnection, getHostConnection, updateHostConnection } from '../../domain/host-connections.js';
import { listConnections } from '../../store/connection-lists.js';
import { hostConnections } from '../../store/connection-sides.js';
import { asGuest, asHost, type Pair } from '../../store/pair.js';
import { locationOf } from '../location.js';
import type { OperationHandlers } from '../operation-types.js';

/** The guest (the requester) and the host its path names. */
const withHost = (requester: { organizationId: string }, hostOrgId: string): Pair => ({
  host: asHost(hostOrgId),
  guest: asGuest(requester.organizationId),
});

export const hostConnectionHandlers = {
  async createHostConnection({ body, headers }, { store, requester }) {
    const guest = asGuest(requester.organizationId);
    const created = await createHostConnection(store.db, guest, body, headers['Idempotency-Key']);
    const Location = locationOf('getHostConnection', { host_org_id: created.result.host_organization_id });
    return {
      status: 201,
      body: created.result,
      bodyText: created.json,
      headers: created.replayed ? { Location, 'Idempotency-Replayed': 'true' } : { Location },
    };
  },
  async listHostConnections({ query }, { store, requester }) {
    return {
      status: 200,
      body: await listConnections(store.db, hostConnections, asGuest(requester.organizationId), query),
    };
  },
  async getHostConnection({ path }, { store, requester }) {
    return { status: 200, body: await getHostConnection(store.db, withHost(requester, path.host_org_id)) };
  },
  async updateHostConnection({ path, body }, { store, requester }) {
    return { status: 200, body: await updateHostConnection(store.db, withHost(requester, path.host_org_id), body) };
  },
  async listHostConnectionActions({ path, query }, { store, requester }) {
    const pair = withHost(requester, path.host_org_id);
    return { status: 200, body: await listHostConnectionActions(store.db, pair, query) };
  },
  async resolveHostConnectionAction({ path }, { store, requester }) {
    const pair = withHost(requester, path.host_org_id);
    return { status: 200, body: await resolveHostConnectionAction(store.db, pair, path.action_id) };
  },
} satisfies Pick<
  OperationHandlers,
  | 'createHostConnection'
  | 'listHostConnections'
  | 'getHostConnection'
  | 'updateHostConnection'
  | 'listHostConnectionActions'
  | 'resolveHostConnectionAction'
>;
