// An organization's webhook endpoints: registration (URL rule, limit, a fresh secret), changes,
// secret rotation with a grace period. Another organization's endpoint is never found.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { components } from '../../generated/openapi.js';
import type { ValidatedQuery } from '../contract/inputs.js';
import type { List } from '../store/list.js';
import type { Database } from '../store/schema.js';
import { failPending } from '../store/webhook-deliveries.js';
import {
  countEndpointsLocked,
  deleteEndpoint,
  findEndpoint,
  insertEndpoint,
  listEndpoints,
  lockEndpoint,
  updateEndpoint,
  type EndpointChanges,
} from '../store/webhook-endpoints.js';
import { ProblemError } from './problems.js';
import { checkWebhookUrl, type WebhookPolicy } from './webhook-urls.js';

type Schemas = components['schemas'];
type WebhookEndpoint = Schemas['WebhookEndpoint'];

/** At most this many endpoints per organization: each event costs one delivery per endpoint. */
const MAX_ENDPOINTS = 16;

/** `whsec_` + base64 of 32 random bytes, the Standard Webhooks form of a signing key. */
function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export function webhookEndpointNotFound(): ProblemError {
  return new ProblemError('webhook_endpoint_not_found', 'No such webhook endpoint.');
}

export async function createWebhookEndpoint(
  db: Kysely<Database>,
  policy: WebhookPolicy,
  organizationId: string,
  request: Schemas['CreateWebhookEndpointRequest'],
  now: Date = new Date(),
): Promise<WebhookEndpoint> {
  await checkWebhookUrl(request.url, policy);
  const secret = newSecret();
  const created = await db.transaction().execute(async (trx) => {
    if ((await countEndpointsLocked(trx, organizationId)) >= MAX_ENDPOINTS) {
      throw new ProblemError(
        'webhook_endpoint_limit_reached',
        `An organization has at most ${MAX_ENDPOINTS} webhook endpoints.`,
      );
    }
    return insertEndpoint(trx, {
      organizationId,
      url: request.url,
      eventTypes: request.event_types,
      description: request.description ?? null,
      secret,
      now,
    });
  });
  return { ...created, secret };
}

export async function getWebhookEndpoint(
  db: Kysely<Database>,
  organizationId: string,
  id: string,
): Promise<WebhookEndpoint> {
  const found = await findEndpoint(db, organizationId, id);
  if (found === undefined) throw webhookEndpointNotFound();
  return found;
}

export function listWebhookEndpoints(
  db: Kysely<Database>,
  organizationId: string,
  query: ValidatedQuery<'listWebhookEndpoints'>,
): Promise<List<WebhookEndpoint>> {
  return listEndpoints(db, organizationId, query);
}

/** Enabling clears the reason the server gave for disabling, and the run of failures behind it. */
export async function updateWebhookEndpoint(
  db: Kysely<Database>,
  policy: WebhookPolicy,
  organizationId: string,
  id: string,
  request: Schemas['UpdateWebhookEndpointRequest'],
  now: Date = new Date(),
): Promise<WebhookEndpoint> {
  if (request.url !== undefined) await checkWebhookUrl(request.url, policy);
  return db.transaction().execute(async (trx) => {
    const current = await lockEndpoint(trx, organizationId, id);
    if (current === undefined) throw webhookEndpointNotFound();
    const changes: EndpointChanges = { updated_at: now };
    if (request.url !== undefined) changes.url = request.url;
    if (request.event_types !== undefined) changes.event_types = request.event_types;
    if (request.description !== undefined) changes.description = request.description;
    if (request.enabled !== undefined && request.enabled !== current.enabled) {
      changes.enabled = request.enabled;
      changes.disabled_reason = null;
      changes.failing_since = null;
      // Nothing more is sent to a disabled endpoint, not even what was waiting.
      if (!request.enabled) await failPending(trx, current.id);
    }
    return updateEndpoint(trx, current.id, changes);
  });
}

export async function deleteWebhookEndpoint(db: Kysely<Database>, organizationId: string, id: string): Promise<void> {
  if (!(await deleteEndpoint(db, organizationId, id))) throw webhookEndpointNotFound();
}

/** A new secret; the current one keeps signing for the grace period (0: not at all). */
export async function rotateWebhookSecret(
  db: Kysely<Database>,
  organizationId: string,
  id: string,
  request: Schemas['CreateWebhookSecretRotationRequest'],
  now: Date = new Date(),
): Promise<WebhookEndpoint> {
  const grace = request.grace_period_seconds ?? 86400;
  const secret = newSecret();
  const rotated = await db.transaction().execute(async (trx) => {
    const current = await lockEndpoint(trx, organizationId, id);
    if (current === undefined) throw webhookEndpointNotFound();
    return updateEndpoint(trx, current.id, {
      secret,
      previous_secret: grace > 0 ? current.secret : null,
      previous_secret_expires_at: grace > 0 ? new Date(now.getTime() + grace * 1000) : null,
      updated_at: now,
    });
  });
  return { ...rotated, secret };
}
