import { listWebhookDeliveries, retryWebhookDelivery } from '../../domain/webhook-deliveries.js';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookEndpoints,
  rotateWebhookSecret,
  updateWebhookEndpoint,
} from '../../domain/webhook-endpoints.js';
import type { WebhookPolicy } from '../../domain/webhook-urls.js';
import { locationOf } from '../location.js';
import type { OperationHandlers } from '../operation-types.js';

type WebhookOperation =
  | 'createWebhookEndpoint'
  | 'listWebhookEndpoints'
  | 'getWebhookEndpoint'
  | 'updateWebhookEndpoint'
  | 'deleteWebhookEndpoint'
  | 'createWebhookSecretRotation'
  | 'listWebhookDeliveries'
  | 'createWebhookDeliveryRetry';

/** The requester's own endpoints (the Self scenario): every call is scoped by its organization. */
export function webhookEndpointHandlers(policy: WebhookPolicy): Pick<OperationHandlers, WebhookOperation> {
  return {
    async createWebhookEndpoint({ body }, { store, requester }) {
      const created = await createWebhookEndpoint(store.db, policy, requester.organizationId, body);
      return {
        status: 201,
        body: created,
        headers: { Location: locationOf('getWebhookEndpoint', { endpoint_id: created.id }) },
      };
    },
    async listWebhookEndpoints({ query }, { store, requester }) {
      return { status: 200, body: await listWebhookEndpoints(store.db, requester.organizationId, query) };
    },
    async getWebhookEndpoint({ path }, { store, requester }) {
      return { status: 200, body: await getWebhookEndpoint(store.db, requester.organizationId, path.endpoint_id) };
    },
    async updateWebhookEndpoint({ path, body }, { store, requester }) {
      const id = path.endpoint_id;
      return { status: 200, body: await updateWebhookEndpoint(store.db, policy, requester.organizationId, id, body) };
    },
    async deleteWebhookEndpoint({ path }, { store, requester }) {
      await deleteWebhookEndpoint(store.db, requester.organizationId, path.endpoint_id);
      return { status: 204 };
    },
    async createWebhookSecretRotation({ path, body }, { store, requester }) {
      return {
        status: 201,
        body: await rotateWebhookSecret(store.db, requester.organizationId, path.endpoint_id, body),
      };
    },
    async listWebhookDeliveries({ path, query }, { store, requester }) {
      const id = path.endpoint_id;
      return { status: 200, body: await listWebhookDeliveries(store.db, requester.organizationId, id, query) };
    },
    async createWebhookDeliveryRetry({ path }, { store, requester }) {
      const { endpoint_id: endpointId, delivery_id: deliveryId } = path;
      return {
        status: 202,
        body: await retryWebhookDelivery(store.db, requester.organizationId, endpointId, deliveryId),
      };
    },
  };
}
