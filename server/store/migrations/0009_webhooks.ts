// Webhooks (issue 17): the organizations' endpoints, and the transactional outbox: an event and
// one delivery per subscribed endpoint are written in the transaction of the change they
// describe, then sent by the dispatcher (server/webhooks/), which claims due deliveries.
import { sql, type Kysely, type Migration } from 'kysely';

const statements = [
  `create table webhook_endpoints (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations (id) on delete cascade,
    url text not null,
    description text,
    event_types text[] not null,
    enabled boolean not null default true,
    disabled_reason text,
    secret text not null,
    previous_secret text,
    previous_secret_expires_at timestamptz,
    -- The start of the current run of failed attempts; null after a success.
    failing_since timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null
  )`,
  'create index webhook_endpoints_by_organization on webhook_endpoints (organization_id, created_at, id)',
  `create table webhook_events (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations (id) on delete cascade,
    type text not null check (type in ('guest_connection.created', 'guest_connection.status_changed', 'guest_invitation.accepted', 'connection_action.created', 'connection_action.resolved')),
    -- The exact JSON sent, so every attempt signs the same bytes.
    body text not null,
    created_at timestamptz not null
  )`,
  `create table webhook_deliveries (
    id uuid primary key default gen_random_uuid(),
    -- Commit order within one endpoint, as far as a sequence can tell it.
    seq bigserial not null,
    event_id uuid not null references webhook_events (id) on delete cascade,
    endpoint_id uuid not null references webhook_endpoints (id) on delete cascade,
    event_type text not null check (event_type in ('guest_connection.created', 'guest_connection.status_changed', 'guest_invitation.accepted', 'connection_action.created', 'connection_action.resolved')),
    status text not null default 'pending' check (status in ('pending', 'succeeded', 'failed')),
    attempt_count integer not null default 0,
    -- When the next attempt is due; null once succeeded or failed.
    next_attempt_at timestamptz,
    -- While an attempt is in flight: when its dispatcher's claim lapses (it died, say).
    claimed_until timestamptz,
    attempts jsonb not null default '[]',
    created_at timestamptz not null
  )`,
  `create index webhook_deliveries_due on webhook_deliveries (next_attempt_at, seq) where status = 'pending'`,
  'create index webhook_deliveries_by_endpoint on webhook_deliveries (endpoint_id, created_at desc, id desc)',
  'create index webhook_deliveries_by_event on webhook_deliveries (event_id)',
];

export const webhooks: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const statement of statements) await sql.raw(statement).execute(db);
  },
};
