import { listHostConnectionActions, resolveHostConnectionAction } from '../../domain/connection-actions.js';
import {
  createHostConnection,
  getHostConnection,
  listHostConnections,
  updateHostConnection,
} from '../../domain/host-connections.js';
import { locationOf } from '../location.js';
import type { OperationHandlers } from '../operation-types.js';

export const hostConnectionHandlers = {
  async createHostConnection({ body, headers }, { store, caller }) {
    const created = await createHostConnection(store.db, caller.organizationId, body, headers['Idempotency-Key']);
    const Location = locationOf('getHostConnection', { host_org_id: created.result.host_organization_id });
    return {
      status: 201,
      body: created.result,
      bodyText: created.json,
      headers: created.replayed ? { Location, 'Idempotency-Replayed': 'true' } : { Location },
    };
  },
  async listHostConnections({ query }, { store, caller }) {
    return { status: 200, body: await listHostConnections(store.db, caller.organizationId, query) };
  },
  async getHostConnection({ path }, { store, caller }) {
    return { status: 200, body: await getHostConnection(store.db, caller.organizationId, path.host_org_id) };
  },
  async updateHostConnection({ path, body }, { store, caller }) {
    return { status: 200, body: await updateHostConnection(store.db, caller.organizationId, path.host_org_id, body) };
  },
  async listHostConnectionActions({ path, query }, { store, caller }) {
    return {
      status: 200,
      body: await listHostConnectionActions(store.db, caller.organizationId, path.host_org_id, query),
    };
  },
  async resolveHostConnectionAction({ path }, { store, caller }) {
    const action = await resolveHostConnectionAction(store.db, caller.organizationId, path.host_org_id, path.action_id);
    return { status: 200, body: action };
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
