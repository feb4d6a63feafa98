// The transactional outbox: an event, and one delivery per enabled endpoint of the receiving
// organization subscribed to its type, written by the transaction of the change it describes,
// in one statement. Nothing is written when no endpoint is subscribed. The `data` is read in
// that statement through the receiving organization's view, so it is the committed state.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Pair } from './pair.js';
import type { Database, WebhookEventType } from './schema.js';
import { selections } from './view.js';
import { guestConnectionView, invitationView } from './views.js';

/** Wakes the dispatchers when the transaction commits (PostgreSQL delivers NOTIFY at commit only). */
export const DELIVERIES_CHANNEL = 'webhook_deliveries';

/** An event's `data`: a JSON expression. */
export type EventData = RawBuilder<unknown>;

/** The connection as its host sees it. */
export function guestConnectionData(pair: Pair): EventData {
  return sql`(select row_to_json(v) from (select ${sql.join(selections(guestConnectionView, 'c', undefined))}
    from connections c where c.host_organization_id = ${pair.host} and c.guest_organization_id = ${pair.guest}) v)`;
}

/** The invitation as its host sees it at `now`. */
export function invitationData(id: string, now: Date): EventData {
  return sql`(select row_to_json(v) from (select ${sql.join(selections(invitationView, 'i', { now }))}
    from invitations i where i.id = ${id}) v)`;
}

/** A resource the change returned already, as it is. */
export function objectData(value: object): EventData {
  return sql`${JSON.stringify(value)}::json`;
}

export type OutboxEvent = { organizationId: string; type: WebhookEventType; data: EventData; now: Date };

export async function enqueueEvent(trx: Kysely<Database>, event: OutboxEvent): Promise<void> {
  const { organizationId, type, now } = event;
  await sql`
    with targets as (
      select id from webhook_endpoints
      where organization_id = ${organizationId} and enabled and ${type}::text = any (event_types)
    ), event as (
      insert into webhook_events (organization_id, type, body, created_at)
      select ${organizationId}, ${type},
        json_build_object('type', ${type}::text, 'timestamp', ${now.toISOString()}::text, 'data', ${event.data})::text, ${now}
      where exists (select from targets)
      returning id
    ), deliveries as (
      insert into webhook_deliveries (event_id, endpoint_id, event_type, next_attempt_at, created_at)
      select event.id, targets.id, ${type}, ${now}, ${now} from event cross join targets
      returning 1
    )
    select pg_notify(${DELIVERIES_CHANNEL}, '') from (select from deliveries limit 1) d`.execute(trx);
}
