// The initial schema. A migration is history: never edit it once released, add a new one.
// Plain SQL because CHECKs, partial and expression indexes read better than builder calls.
// Each statement runs on its own: PGlite's query() uses the extended protocol, one statement per call.
import { sql, type Kysely, type Migration } from 'kysely';

const statements = [
  `create table organizations (
    id uuid primary key default gen_random_uuid(),
    name text not null check (char_length(name) between 1 and 300),
    email text not null check (char_length(email) between 3 and 100),
    owner_email text not null check (char_length(owner_email) between 3 and 100),
    created_at timestamptz not null default now()
  )`,
  // Name and e-mail orders and searches are case-insensitive; the id breaks ties.
  `create index organizations_lower_name_idx on organizations (lower(name), id)`,
  `create index organizations_lower_email_idx on organizations (lower(email), id)`,
  `create index organizations_lower_owner_email_idx on organizations (lower(owner_email), id)`,

  `create table api_clients (
    client_id text primary key check (char_length(client_id) between 1 and 128),
    organization_id uuid not null references organizations (id),
    secret_hash text not null,
    created_at timestamptz not null default now(),
    revoked_at timestamptz
  )`,
  `create index api_clients_organization_id_idx on api_clients (organization_id)`,

  `create table invitations (
    id uuid primary key default gen_random_uuid(),
    host_organization_id uuid not null references organizations (id),
    email text not null check (char_length(email) between 3 and 100),
    invitation_token text not null unique check (char_length(invitation_token) between 10 and 2000),
    status text not null default 'sent'
      check (status in ('sent', 'accepted_by_guest', 'accepted_by_system')),
    first_invitation_sent_at timestamptz not null default now(),
    last_invitation_sent_at timestamptz not null default now(),
    expired_at timestamptz not null,
    accepted_at timestamptz,
    accepted_by_organization_id uuid references organizations (id),
    archived boolean not null default false,
    archived_at timestamptz,
    parent_organization_id uuid references organizations (id),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  // One index per list order of GET /guest-invitations, the id making the order total.
  ...[
    'email',
    'first_invitation_sent_at',
    'last_invitation_sent_at',
    'expired_at',
    'accepted_at',
    'archived_at',
    'created_at',
    'updated_at',
  ].map((column) => `create index invitations_host_${column}_idx on invitations (host_organization_id, ${column}, id)`),
  `create index invitations_host_lower_email_idx on invitations (host_organization_id, lower(email))`,
  `create index invitations_host_status_idx on invitations (host_organization_id, status)`,

  `create table connections (
    host_organization_id uuid not null references organizations (id),
    guest_organization_id uuid not null references organizations (id),
    status text not null check (status in ('connected', 'disconnected')),
    invitation_id uuid references invitations (id),
    parent_organization_id uuid references organizations (id),
    host_archived boolean not null default false,
    host_archived_at timestamptz,
    guest_archived boolean not null default false,
    guest_archived_at timestamptz,
    total_score numeric check (total_score >= 0),
    score_updated_at timestamptz,
    active_action_type text check (active_action_type in ('documents_update_request', 'analytics_request')),
    active_action_updated_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (host_organization_id, guest_organization_id),
    constraint connections_host_is_not_guest check (host_organization_id <> guest_organization_id)
  )`,
  `create index connections_guest_status_idx on connections (guest_organization_id, status)`,
  `create index connections_host_status_idx on connections (host_organization_id, status)`,
  // The guest lists its host connections: its own archive flag, ties broken by the host's id.
  ...['created_at', 'updated_at', 'guest_archived_at', 'active_action_updated_at'].map(
    (column) =>
      `create index connections_guest_${column}_idx on connections (guest_organization_id, ${column}, host_organization_id)`,
  ),
  // The host lists its guest connections: its own archive flag and the scores, ties broken by the guest's id.
  ...[
    'created_at',
    'updated_at',
    'host_archived_at',
    'active_action_updated_at',
    'total_score',
    'score_updated_at',
  ].map(
    (column) =>
      `create index connections_host_${column}_idx on connections (host_organization_id, ${column}, guest_organization_id)`,
  ),

  `create table connection_actions (
    id uuid primary key default gen_random_uuid(),
    host_organization_id uuid not null,
    guest_organization_id uuid not null,
    action_type text not null check (action_type in ('documents_update_request', 'analytics_request')),
    status text not null default 'active' check (status in ('active', 'resolved')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    resolved_at timestamptz,
    foreign key (host_organization_id, guest_organization_id)
      references connections (host_organization_id, guest_organization_id)
  )`,
  // The database, not a read-then-write race, keeps one active action per type and connection.
  `create unique index connection_actions_one_active_per_type
    on connection_actions (host_organization_id, guest_organization_id, action_type)
    where status = 'active'`,
  `create index connection_actions_connection_created_idx
    on connection_actions (host_organization_id, guest_organization_id, created_at, id)`,

  `create table idempotency_keys (
    organization_id uuid not null references organizations (id),
    key text not null check (char_length(key) between 1 and 255),
    operation_id text not null,
    request_hash text not null,
    response_status integer not null,
    response_headers jsonb not null,
    response_body jsonb not null,
    created_at timestamptz not null default now(),
    primary key (organization_id, key)
  )`,
  // Expiry sweeps delete by age.
  `create index idempotency_keys_created_at_idx on idempotency_keys (created_at)`,
];

export const initial: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const statement of statements) {
      await sql.raw(statement).execute(db);
    }
  },
};
