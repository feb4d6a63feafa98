// The Kysely view of the tables created by the migrations in ./migrations.
// Keep this file in step with them: it is the only place the column types are written down.
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { components } from '../../generated/openapi.js';

// The enums are the contract's; the migrations' check constraints hold the same values.
export type InvitationStatus = components['schemas']['InvitationStatus'];
export type ConnectionStatus = components['schemas']['ConnectionStatus'];
export type ActionType = components['schemas']['ActionType'];
export type ActionStatus = components['schemas']['ActionStatus'];

export interface OrganizationsTable {
  id: Generated<string>;
  name: string;
  email: string;
  owner_email: string;
  created_at: Generated<Date>;
}

export interface ApiClientsTable {
  client_id: string;
  organization_id: string;
  secret_hash: string;
  created_at: Generated<Date>;
  revoked_at: Date | null;
}

export interface InvitationsTable {
  id: Generated<string>;
  host_organization_id: string;
  email: string;
  invitation_token: string;
  status: Generated<InvitationStatus>;
  first_invitation_sent_at: Generated<Date>;
  last_invitation_sent_at: Generated<Date>;
  expired_at: Date;
  accepted_at: Date | null;
  accepted_by_organization_id: string | null;
  archived: Generated<boolean>;
  archived_at: Date | null;
  parent_organization_id: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ConnectionsTable {
  host_organization_id: string;
  guest_organization_id: string;
  status: ConnectionStatus;
  invitation_id: string | null;
  parent_organization_id: string | null;
  // The host's own archive flag: shown on the host's guest connections.
  host_archived: Generated<boolean>;
  host_archived_at: Date | null;
  // The guest's own archive flag: shown on the guest's host connections.
  guest_archived: Generated<boolean>;
  guest_archived_at: Date | null;
  // numeric in SQL; both engines parse it to a JS number (see database.ts).
  total_score: number | null;
  score_updated_at: Date | null;
  active_action_type: ActionType | null;
  active_action_updated_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  // The host's and the guest's name and e-mails, copied by the database from organizations
  // whenever either is written (migration 0007): what the lists order and search by.
  host_name: Generated<string>;
  host_email: Generated<string>;
  host_owner_email: Generated<string>;
  guest_name: Generated<string>;
  guest_email: Generated<string>;
  guest_owner_email: Generated<string>;
}

/**
 * How many connections an organization has in one role, status and that role's archive flag,
 * kept by triggers on connections (migration 0008); a count is the sum over its slots.
 */
export interface ConnectionCountsTable {
  organization_id: string;
  role: 'host' | 'guest';
  status: ConnectionStatus;
  archived: boolean;
  slot: number;
  n: number;
}

export interface ConnectionActionsTable {
  id: Generated<string>;
  host_organization_id: string;
  guest_organization_id: string;
  action_type: ActionType;
  status: Generated<ActionStatus>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  resolved_at: Date | null;
}

export interface IdempotencyKeysTable {
  organization_id: string;
  key: string;
  operation_id: string;
  request_hash: string;
  /** The operation's result exactly as sent (JSON text). */
  result: string;
  created_at: Generated<Date>;
}

export type WebhookEventType = components['schemas']['WebhookEventType'];
export type WebhookDeliveryStatus = components['schemas']['WebhookDeliveryStatus'];
export type WebhookAttempt = components['schemas']['WebhookAttempt'];

export interface WebhookEndpointsTable {
  id: Generated<string>;
  organization_id: string;
  url: string;
  description: string | null;
  event_types: WebhookEventType[];
  enabled: Generated<boolean>;
  disabled_reason: string | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  failing_since: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface WebhookEventsTable {
  id: Generated<string>;
  organization_id: string;
  type: WebhookEventType;
  body: string;
  created_at: Date;
}

export interface WebhookDeliveriesTable {
  id: Generated<string>;
  seq: Generated<string>;
  event_id: string;
  endpoint_id: string;
  event_type: WebhookEventType;
  status: Generated<WebhookDeliveryStatus>;
  attempt_count: Generated<number>;
  next_attempt_at: Date | null;
  claimed_until: Date | null;
  attempts: Generated<WebhookAttempt[]>;
  created_at: Date;
}

export interface Database {
  organizations: OrganizationsTable;
  api_clients: ApiClientsTable;
  invitations: InvitationsTable;
  connections: ConnectionsTable;
  connection_counts: ConnectionCountsTable;
  connection_actions: ConnectionActionsTable;
  idempotency_keys: IdempotencyKeysTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

export type Organization = Selectable<OrganizationsTable>;
export type ApiClient = Selectable<ApiClientsTable>;
export type Invitation = Selectable<InvitationsTable>;
export type NewInvitation = Insertable<InvitationsTable>;
export type InvitationUpdate = Updateable<InvitationsTable>;
export type Connection = Selectable<ConnectionsTable>;
export type ConnectionUpdate = Updateable<ConnectionsTable>;
export type ConnectionAction = Selectable<ConnectionActionsTable>;
export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type WebhookDelivery = Selectable<WebhookDeliveriesTable>;
