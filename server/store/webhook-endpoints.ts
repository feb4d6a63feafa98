// An organization's webhook endpoints, each read through its view (server/store/views.ts). Every
// query is scoped by the organization: another organization's endpoint is no row at all.
import { sql, type Kysely } from 'kysely';
import type { components } from '../../generated/openapi.js';
import type { ValidatedQuery } from '../contract/inputs.js';
import { pageOf, type List } from './list.js';
import { isUuid } from './organizations.js';
import type { Database, WebhookEndpointRow, WebhookEventType } from './schema.js';
import { selections } from './view.js';
import { webhookEndpointView } from './views.js';

type WebhookEndpoint = components['schemas']['WebhookEndpoint'];
const returned = selections(webhookEndpointView, 'webhook_endpoints', undefined);

export type NewEndpoint = {
  organizationId: string;
  url: string;
  eventTypes: WebhookEventType[];
  description: string | null;
  secret: string;
  now: Date;
};

/** Locks the organization's row, so that concurrent registrations count its endpoints one at a time. */
export async function countEndpointsLocked(trx: Kysely<Database>, organizationId: string): Promise<number> {
  await trx.selectFrom('organizations').select('id').where('id', '=', organizationId).forUpdate().execute();
  const row = await trx
    .selectFrom('webhook_endpoints')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organization_id', '=', organizationId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertEndpoint(trx: Kysely<Database>, values: NewEndpoint): Promise<WebhookEndpoint> {
  return trx
    .insertInto('webhook_endpoints')
    .values({
      organization_id: values.organizationId,
      url: values.url,
      event_types: sql<WebhookEventType[]>`${values.eventTypes}::text[]`,
      description: values.description,
      secret: values.secret,
      created_at: values.now,
      updated_at: values.now,
    })
    .returning(returned)
    .$castTo<WebhookEndpoint>()
    .executeTakeFirstOrThrow();
}

/** The organization's endpoint row, locked until the transaction ends; undefined for another's or none. */
export async function lockEndpoint(
  trx: Kysely<Database>,
  organizationId: string,
  id: string,
): Promise<WebhookEndpointRow | undefined> {
  if (!isUuid(id)) return undefined;
  return trx
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', id)
    .where('organization_id', '=', organizationId)
    .forUpdate()
    .executeTakeFirst();
}

export async function findEndpoint(
  db: Kysely<Database>,
  organizationId: string,
  id: string,
): Promise<WebhookEndpoint | undefined> {
  if (!isUuid(id)) return undefined;
  return db
    .selectFrom('webhook_endpoints')
    .select(selections(webhookEndpointView, 'webhook_endpoints', undefined))
    .where('id', '=', id)
    .where('organization_id', '=', organizationId)
    .$castTo<WebhookEndpoint>()
    .executeTakeFirst();
}

export type EndpointChanges = {
  url?: string;
  event_types?: WebhookEventType[];
  description?: string | null;
  enabled?: boolean;
  disabled_reason?: string | null;
  secret?: string;
  previous_secret?: string | null;
  previous_secret_expires_at?: Date | null;
  failing_since?: Date | null;
  updated_at: Date;
};

export async function updateEndpoint(
  trx: Kysely<Database>,
  id: string,
  changes: EndpointChanges,
): Promise<WebhookEndpoint> {
  const { event_types: eventTypes, ...rest } = changes;
  return trx
    .updateTable('webhook_endpoints')
    .set(eventTypes === undefined ? rest : { ...rest, event_types: sql<WebhookEventType[]>`${eventTypes}::text[]` })
    .where('id', '=', id)
    .returning(returned)
    .$castTo<WebhookEndpoint>()
    .executeTakeFirstOrThrow();
}

/** Deletes the organization's endpoint (its deliveries cascade); false when it has none of this id. */
export async function deleteEndpoint(db: Kysely<Database>, organizationId: string, id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  const result = await db
    .deleteFrom('webhook_endpoints')
    .where('id', '=', id)
    .where('organization_id', '=', organizationId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** One page of the organization's endpoints, oldest first. */
export async function listEndpoints(
  db: Kysely<Database>,
  organizationId: string,
  query: ValidatedQuery<'listWebhookEndpoints'>,
): Promise<List<WebhookEndpoint>> {
  const matches = db.selectFrom('webhook_endpoints as w').where('w.organization_id', '=', organizationId);
  return pageOf(
    db,
    matches,
    matches.select(selections(webhookEndpointView, 'w', undefined)).$castTo<WebhookEndpoint>(),
    { key: { expression: sql.ref('w.created_at'), nullable: false }, tieBreak: sql.ref('w.id'), dir: 'asc' },
    query,
  );
}

/**
 * After an attempt: a success ends the endpoint's run of failures, a failure starts one unless
 * one is running. Returns when the run started (null after a success).
 */
export async function recordEndpointHealth(
  db: Kysely<Database>,
  id: string,
  succeeded: boolean,
  now: Date,
): Promise<Date | null> {
  const row = await db
    .updateTable('webhook_endpoints')
    .set({ failing_since: succeeded ? null : sql<Date>`coalesce(failing_since, ${now})` })
    .where('id', '=', id)
    .returning('failing_since')
    .executeTakeFirst();
  return row?.failing_since ?? null;
}
