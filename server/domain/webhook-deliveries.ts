// An endpoint's deliveries as its organization sees them, a delivery sent again on request,
// and an endpoint disabled by the server (410, or days of failures).
import type { Kysely } from 'kysely';
import type { components } from '../../generated/openapi.js';
import type { ValidatedQuery } from '../contract/inputs.js';
import type { List } from '../store/list.js';
import type { Database } from '../store/schema.js';
import { failPending, listDeliveries, makeDue } from '../store/webhook-deliveries.js';
import { findEndpoint, lockEndpoint, updateEndpoint } from '../store/webhook-endpoints.js';
import { ProblemError } from './problems.js';
import { webhookEndpointNotFound } from './webhook-endpoints.js';

type WebhookDelivery = components['schemas']['WebhookDelivery'];

export async function listWebhookDeliveries(
  db: Kysely<Database>,
  organizationId: string,
  endpointId: string,
  query: ValidatedQuery<'listWebhookDeliveries'>,
): Promise<List<WebhookDelivery>> {
  const endpoint = await findEndpoint(db, organizationId, endpointId);
  if (endpoint === undefined) throw webhookEndpointNotFound();
  return listDeliveries(db, endpoint.id, query);
}

/** Due now, with the same `webhook-id` and body; another organization's delivery is not found. */
export async function retryWebhookDelivery(
  db: Kysely<Database>,
  organizationId: string,
  endpointId: string,
  deliveryId: string,
  now: Date = new Date(),
): Promise<WebhookDelivery> {
  return db.transaction().execute(async (trx) => {
    const notFound = new ProblemError('webhook_delivery_not_found', 'No such delivery of this webhook endpoint.');
    const endpoint = await lockEndpoint(trx, organizationId, endpointId);
    if (endpoint === undefined) throw notFound;
    if (!endpoint.enabled) {
      throw new ProblemError('webhook_endpoint_disabled', 'The endpoint is disabled; enable it before sending to it.');
    }
    const due = await makeDue(trx, endpoint.id, deliveryId, now);
    if (due === undefined) throw notFound;
    return due;
  });
}

/** The server disables an endpoint; its organization reads why in `disabled_reason`. */
export async function disableWebhookEndpoint(
  db: Kysely<Database>,
  endpointId: string,
  reason: string,
  now: Date,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await updateEndpoint(trx, endpointId, { enabled: false, disabled_reason: reason, updated_at: now });
    await failPending(trx, endpointId);
  });
}
