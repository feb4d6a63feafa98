// Deliveries: their list for the organization, and the dispatcher's claims and results.
import { sql, type Kysely } from 'kysely';
import type { components } from '../../generated/openapi.js';
import type { ValidatedQuery } from '../contract/inputs.js';
import { pageOf, type List } from './list.js';
import { isUuid } from './organizations.js';
import type { Database, WebhookAttempt } from './schema.js';
import { selections } from './view.js';
import { webhookDeliveryView } from './views.js';
import { DELIVERIES_CHANNEL } from './webhook-outbox.js';

type WebhookDelivery = components['schemas']['WebhookDelivery'];
type WebhookDeliveryStatus = components['schemas']['WebhookDeliveryStatus'];

/** One page of an endpoint's deliveries, newest first. */
export async function listDeliveries(
  db: Kysely<Database>,
  endpointId: string,
  query: ValidatedQuery<'listWebhookDeliveries'>,
): Promise<List<WebhookDelivery>> {
  let matches = db.selectFrom('webhook_deliveries as d').where('d.endpoint_id', '=', endpointId);
  if (query.status !== undefined) matches = matches.where('d.status', '=', query.status);
  if (query.event_type !== undefined) matches = matches.where('d.event_type', '=', query.event_type);
  return pageOf(
    db,
    matches,
    matches.select(selections(webhookDeliveryView, 'd', undefined)).$castTo<WebhookDelivery>(),
    { key: { expression: sql.ref('d.created_at'), nullable: false }, tieBreak: sql.ref('d.id'), dir: 'desc' },
    query,
  );
}

/** The delivery is pending and due at `now` again; undefined when the endpoint has no such delivery. */
export async function makeDue(
  trx: Kysely<Database>,
  endpointId: string,
  id: string,
  now: Date,
): Promise<WebhookDelivery | undefined> {
  if (!isUuid(id)) return undefined;
  const due = await trx
    .updateTable('webhook_deliveries')
    // An attempt in flight keeps its claim: the retry is the next attempt, not a second one now.
    .set({ status: 'pending', next_attempt_at: now })
    .where('id', '=', id)
    .where('endpoint_id', '=', endpointId)
    .returning(selections(webhookDeliveryView, 'webhook_deliveries', undefined))
    .$castTo<WebhookDelivery>()
    .executeTakeFirst();
  if (due !== undefined) await sql`select pg_notify(${DELIVERIES_CHANNEL}, '')`.execute(trx);
  return due;
}

/** An endpoint's pending deliveries fail: it was disabled, nothing more is sent to it. */
export async function failPending(trx: Kysely<Database>, endpointId: string): Promise<void> {
  await trx
    .updateTable('webhook_deliveries')
    .set({ status: 'failed', next_attempt_at: null })
    .where('endpoint_id', '=', endpointId)
    .where('status', '=', 'pending')
    .execute();
}

/** A claimed delivery, with what sending it needs. */
export type Claimed = {
  id: string;
  event_id: string;
  endpoint_id: string;
  attempt_count: number;
  body: string;
  url: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  failing_since: Date | null;
};

/**
 * Claims up to `limit` due deliveries of enabled endpoints, oldest due first: each is held
 * until `leaseUntil`, so a process that dies mid-attempt leaves it to be sent again then, and
 * `skip locked` lets several dispatchers claim side by side without waiting for each other.
 */
export async function claimDue(db: Kysely<Database>, now: Date, leaseUntil: Date, limit: number): Promise<Claimed[]> {
  const result = await sql<Claimed>`
    with claimed as (
      update webhook_deliveries d set claimed_until = ${leaseUntil}
      where d.id in (
        select q.id from webhook_deliveries q
        where q.status = 'pending' and q.next_attempt_at <= ${now} and (q.claimed_until is null or q.claimed_until <= ${now})
          and exists (select from webhook_endpoints p where p.id = q.endpoint_id and p.enabled)
        order by q.next_attempt_at, q.seq
        limit ${limit}
        for update skip locked
      )
      returning d.id, d.event_id, d.endpoint_id, d.attempt_count, d.seq
    )
    select c.id, c.event_id, c.endpoint_id, c.attempt_count, e.body, p.url, p.secret, p.previous_secret,
      p.previous_secret_expires_at, p.failing_since
    from claimed c join webhook_events e on e.id = c.event_id join webhook_endpoints p on p.id = c.endpoint_id
    order by c.seq`.execute(db);
  return result.rows;
}

export type AttemptResult = {
  attempt: WebhookAttempt;
  status: WebhookDeliveryStatus;
  nextAttemptAt: Date | null;
};

export async function recordAttempt(db: Kysely<Database>, id: string, result: AttemptResult): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({
      attempts: sql`attempts || ${JSON.stringify([result.attempt])}::jsonb`,
      attempt_count: sql`attempt_count + 1`,
      status: result.status,
      next_attempt_at: result.nextAttemptAt,
      claimed_until: null,
    })
    .where('id', '=', id)
    .execute();
}

/** Every claim lapses now: for the embedded database, whose one process at a time holds it, at start. */
export async function releaseClaims(db: Kysely<Database>): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({ claimed_until: null })
    .where('claimed_until', 'is not', null)
    .execute();
}
