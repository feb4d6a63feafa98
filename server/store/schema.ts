// The Kysely view of the tables: generated/database.ts, which `npm run generate` writes from the
// tables the migrations in ./migrations make (column types, nullability, defaults, and a text
// column's `check (… in (…))` as its union). Only the names the code reads by are added here.
import type { Insertable, Selectable, Updateable } from 'kysely';
import type {
  ApiClientsTable,
  ConnectionActionsTable,
  ConnectionsTable,
  InvitationsTable,
  OrganizationsTable,
  WebhookDeliveriesTable,
  WebhookEndpointsTable,
} from '../../generated/database.js';
import type { components } from '../../generated/openapi.js';

export type { ConnectionsTable, Database } from '../../generated/database.js';

// The enums are the contract's; the migrations' check constraints hold the same values, and the
// generated column types are those values, so the two must agree wherever one is assigned to the other.
export type InvitationStatus = components['schemas']['InvitationStatus'];
export type ConnectionStatus = components['schemas']['ConnectionStatus'];
export type ActionType = components['schemas']['ActionType'];
export type WebhookEventType = components['schemas']['WebhookEventType'];
export type WebhookAttempt = components['schemas']['WebhookAttempt'];

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
