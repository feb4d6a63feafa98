// The contract's objects as the database reads them: one view per object, each field with the
// column (or expression) it comes from. Every read and write of these objects selects or
// returns through its view (server/store/view.ts), so a new field is one line here.
import { sql } from 'kysely';
import type { components } from '../../generated/openapi.js';
import type { Connection, ConnectionAction, Invitation, WebhookDelivery, WebhookEndpointRow } from './schema.js';
import { sourcesOf, type View } from './view.js';

type Schemas = components['schemas'];

const connection = sourcesOf<Connection>();
const parentName = connection.expression(
  (column) => sql<string | null>`(select p.name from organizations p where p.id = ${column('parent_organization_id')})`,
);

/** The guest's view of a connection: the host's name and e-mails, the guest's own archive flag. */
export const hostConnectionView: View<Schemas['HostConnection']> = {
  host_organization_id: connection.column('host_organization_id'),
  guest_organization_id: connection.column('guest_organization_id'),
  host_name: connection.column('host_name'),
  host_email: connection.column('host_email'),
  owner_email: connection.column('host_owner_email'),
  status: connection.column('status'),
  archived: connection.column('guest_archived'),
  created_at: connection.timestamp('created_at'),
  updated_at: connection.timestamp('updated_at'),
  archived_at: connection.timestamp('guest_archived_at'),
  active_action_type: connection.column('active_action_type'),
  active_action_updated_at: connection.timestamp('active_action_updated_at'),
};

/** The host's view of a connection: the guest's name and e-mails, its score, the host's own archive flag. */
export const guestConnectionView: View<Schemas['GuestConnection']> = {
  host_organization_id: connection.column('host_organization_id'),
  guest_organization_id: connection.column('guest_organization_id'),
  status: connection.column('status'),
  guest_name: connection.column('guest_name'),
  guest_email: connection.column('guest_email'),
  owner_email: connection.column('guest_owner_email'),
  archived: connection.column('host_archived'),
  created_at: connection.timestamp('created_at'),
  updated_at: connection.timestamp('updated_at'),
  total_score: connection.column('total_score'),
  score_updated_at: connection.timestamp('score_updated_at'),
  archived_at: connection.timestamp('host_archived_at'),
  active_action_type: connection.column('active_action_type'),
  active_action_updated_at: connection.timestamp('active_action_updated_at'),
  parent_organization_id: connection.column('parent_organization_id'),
  parent_organization_name: parentName,
};

const invitation = sourcesOf<Invitation, { now: Date }>();

/** An invitation as its host sees it; `expired` is judged at the read's `now`. */
export const invitationView: View<Schemas['Invitation'], { now: Date }> = {
  id: invitation.column('id'),
  host_organization_id: invitation.column('host_organization_id'),
  email: invitation.column('email'),
  first_invitation_sent_at: invitation.timestamp('first_invitation_sent_at'),
  last_invitation_sent_at: invitation.timestamp('last_invitation_sent_at'),
  expired_at: invitation.timestamp('expired_at'),
  // The one definition of "expired": the filter of the list and acceptance use the same comparison.
  expired: invitation.expression((column, { now }) => sql<boolean>`${column('expired_at')} <= ${now}`),
  status: invitation.column('status'),
  invitation_token: invitation.column('invitation_token'),
  archived: invitation.column('archived'),
  created_at: invitation.timestamp('created_at'),
  updated_at: invitation.timestamp('updated_at'),
  accepted_at: invitation.timestamp('accepted_at'),
  archived_at: invitation.timestamp('archived_at'),
  parent_organization_id: invitation.column('parent_organization_id'),
  parent_organization_name: invitation.expression(
    (column) =>
      sql<string | null>`(select p.name from organizations p where p.id = ${column('parent_organization_id')})`,
  ),
};

const action = sourcesOf<ConnectionAction>();

export const connectionActionView: View<Schemas['ConnectionAction']> = {
  id: action.column('id'),
  host_organization_id: action.column('host_organization_id'),
  guest_organization_id: action.column('guest_organization_id'),
  action_type: action.column('action_type'),
  status: action.column('status'),
  created_at: action.timestamp('created_at'),
  updated_at: action.timestamp('updated_at'),
};

const endpoint = sourcesOf<WebhookEndpointRow>();

/** An endpoint as its organization sees it; the secret only ever in the answer that makes it (null here). */
export const webhookEndpointView: View<Schemas['WebhookEndpoint']> = {
  id: endpoint.column('id'),
  url: endpoint.column('url'),
  // text[] in SQL, its values checked against the contract's enum when written.
  event_types: endpoint.expression((column) => sql<Schemas['WebhookEventType'][]>`${column('event_types')}`),
  description: endpoint.column('description'),
  enabled: endpoint.column('enabled'),
  disabled_reason: endpoint.column('disabled_reason'),
  secret: endpoint.expression(() => sql<string | null>`null::text`),
  previous_secret_expires_at: endpoint.timestamp('previous_secret_expires_at'),
  created_at: endpoint.timestamp('created_at'),
  updated_at: endpoint.timestamp('updated_at'),
};

const delivery = sourcesOf<WebhookDelivery>();

export const webhookDeliveryView: View<Schemas['WebhookDelivery']> = {
  id: delivery.column('id'),
  webhook_id: delivery.column('event_id'),
  endpoint_id: delivery.column('endpoint_id'),
  event_type: delivery.column('event_type'),
  status: delivery.column('status'),
  created_at: delivery.timestamp('created_at'),
  next_attempt_at: delivery.timestamp('next_attempt_at'),
  // jsonb: the attempts as the dispatcher recorded them, each a WebhookAttempt.
  attempts: delivery.expression((column) => sql<Schemas['WebhookAttempt'][]>`${column('attempts')}`),
};
