// Rows of the store → objects of the contract. Every field is present; a missing value is null.
import type { components } from '../../generated/openapi.js';
import type { ConnectionRow } from '../store/connections.js';
import type { InvitationRow } from '../store/invitations.js';
import type { ConnectionAction as ActionRow, Connection, Organization } from '../store/schema.js';

type Schemas = components['schemas'];

/**
 * RFC 3339 in UTC with `Z` (with milliseconds, which RFC 3339 allows). A string is that text
 * already, made by the store's hot statements (`isoText` in server/store/prepared.ts).
 */
export function timestamp(value: Date | string): string {
  return typeof value === 'string' ? value : value.toISOString();
}

function nullableTimestamp(value: Date | string | null): string | null {
  return value === null ? null : timestamp(value);
}

/** The one definition of "expired", used for the field, the filter and acceptance alike. */
export function isExpired(expiredAt: Date, now: Date): boolean {
  return now.getTime() >= expiredAt.getTime();
}

export function toOrganization(row: Organization): Schemas['Organization'] {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    owner_email: row.owner_email,
    created_at: timestamp(row.created_at),
  };
}

export function toInvitation(row: InvitationRow, now: Date): Schemas['Invitation'] {
  return {
    id: row.id,
    host_organization_id: row.host_organization_id,
    email: row.email,
    first_invitation_sent_at: timestamp(row.first_invitation_sent_at),
    last_invitation_sent_at: timestamp(row.last_invitation_sent_at),
    expired_at: timestamp(row.expired_at),
    expired: isExpired(row.expired_at, now),
    status: row.status,
    invitation_token: row.invitation_token,
    archived: row.archived,
    created_at: timestamp(row.created_at),
    updated_at: timestamp(row.updated_at),
    accepted_at: nullableTimestamp(row.accepted_at),
    archived_at: nullableTimestamp(row.archived_at),
    parent_organization_id: row.parent_organization_id,
    parent_organization_name: row.parent_organization_name,
  };
}

type Timestamps = 'created_at' | 'updated_at' | 'guest_archived_at' | 'active_action_updated_at';

/** The columns of a host connection the guest's view shows; its timestamps as Dates or as their text already. */
export type HostConnectionView = Pick<
  Connection,
  | 'host_organization_id'
  | 'guest_organization_id'
  | 'host_name'
  | 'host_email'
  | 'host_owner_email'
  | 'status'
  | 'guest_archived'
  | 'active_action_type'
> & {
  [Column in Timestamps]: Connection[Column] extends Date ? Date | string : Date | string | null;
};

/** The guest's view: `archived` is the guest's own flag. */
export function toHostConnection(row: HostConnectionView): Schemas['HostConnection'] {
  return {
    host_organization_id: row.host_organization_id,
    guest_organization_id: row.guest_organization_id,
    host_name: row.host_name,
    host_email: row.host_email,
    owner_email: row.host_owner_email,
    status: row.status,
    archived: row.guest_archived,
    created_at: timestamp(row.created_at),
    updated_at: timestamp(row.updated_at),
    archived_at: nullableTimestamp(row.guest_archived_at),
    active_action_type: row.active_action_type,
    active_action_updated_at: nullableTimestamp(row.active_action_updated_at),
  };
}

/** The host's view: `archived` is the host's own flag. */
export function toGuestConnection(row: ConnectionRow): Schemas['GuestConnection'] {
  return {
    host_organization_id: row.host_organization_id,
    guest_organization_id: row.guest_organization_id,
    status: row.status,
    guest_name: row.guest_name,
    guest_email: row.guest_email,
    owner_email: row.guest_owner_email,
    archived: row.host_archived,
    created_at: timestamp(row.created_at),
    updated_at: timestamp(row.updated_at),
    total_score: row.total_score,
    score_updated_at: nullableTimestamp(row.score_updated_at),
    archived_at: nullableTimestamp(row.host_archived_at),
    active_action_type: row.active_action_type,
    active_action_updated_at: nullableTimestamp(row.active_action_updated_at),
    parent_organization_id: row.parent_organization_id,
    parent_organization_name: row.parent_organization_name,
  };
}

export function toConnectionAction(row: ActionRow): Schemas['ConnectionAction'] {
  return {
    id: row.id,
    host_organization_id: row.host_organization_id,
    guest_organization_id: row.guest_organization_id,
    action_type: row.action_type,
    status: row.status,
    created_at: timestamp(row.created_at),
    updated_at: timestamp(row.updated_at),
  };
}
