// A connection seen from one of its two organizations. The guest lists its host connections
// (GET /host-connections), the host its guest connections (GET /guest-connections): the same
// rows, with "mine" and "the other party" swapped. Everything the store does for either list
// reads it from one of these two descriptions.
import type { components, operations } from '../../generated/openapi.js';
import type { GuestId, HostId } from './pair.js';
import type { ConnectionsTable } from './schema.js';
import type { View } from './view.js';
import { guestConnectionView, hostConnectionView } from './views.js';

type Query<K extends 'listHostConnections' | 'listGuestConnections'> = operations[K]['parameters']['query'];
export type HostConnectionSearchField = NonNullable<Query<'listHostConnections'>['search_field']>;
export type HostConnectionOrder = NonNullable<Query<'listHostConnections'>['order_by']>;
export type GuestConnectionSearchField = NonNullable<Query<'listGuestConnections'>['search_field']>;
export type GuestConnectionOrder = NonNullable<Query<'listGuestConnections'>['order_by']>;

type OrganizationColumn = 'host_organization_id' | 'guest_organization_id';
/** The other party's name and e-mails, as copied onto the connection. */
type CopyColumn = 'host_name' | 'host_email' | 'host_owner_email' | 'guest_name' | 'guest_email' | 'guest_owner_email';

/**
 * What an order sorts by: a column, lower-cased for names and e-mails (which order
 * case-insensitively). A nullable key's descending list reads its values, then its nulls.
 */
export type ListKey = { column: keyof ConnectionsTable & string; lower: boolean; nullable: boolean };

/** One side's list: `Mine` is the lister's id (a guest's or a host's), `Item` what the list shows. */
export interface Side<Field extends string, Order extends string, Mine extends string = string, Item = unknown> {
  /** What the list shows of each connection. */
  view: View<Item>;
  /** The lister's own organization, and its role in connection_counts. */
  mine: OrganizationColumn;
  role: 'host' | 'guest';
  /** The other party's organization: it breaks the ties of every order. */
  counterpart: OrganizationColumn;
  /** The lister's own archive flag (each party archives a connection in its own list). */
  archived: 'host_archived' | 'guest_archived';
  searchColumns: Record<Field, CopyColumn>;
  orderKeys: Record<Order, ListKey>;
  /** Only types `Mine`: a host's id cannot list the guest's side. */
  readonly lister?: Mine;
}

const copy = (column: CopyColumn): ListKey => ({ column, lower: true, nullable: false });
const own = (column: keyof ConnectionsTable & string, nullable: boolean): ListKey => ({
  column,
  lower: false,
  nullable,
});

/** The guest's view: its hosts. */
export const hostConnections: Side<
  HostConnectionSearchField,
  HostConnectionOrder,
  GuestId,
  components['schemas']['HostConnection']
> = {
  view: hostConnectionView,
  mine: 'guest_organization_id',
  role: 'guest',
  counterpart: 'host_organization_id',
  archived: 'guest_archived',
  searchColumns: { host_name: 'host_name', host_email: 'host_email', owner_email: 'host_owner_email' },
  orderKeys: {
    host_name: copy('host_name'),
    host_email: copy('host_email'),
    owner_email: copy('host_owner_email'),
    created_at: own('created_at', false),
    updated_at: own('updated_at', false),
    archived_at: own('guest_archived_at', true),
    active_action_updated_at: own('active_action_updated_at', true),
  },
};

/** The host's view: its guests, with their scores. */
export const guestConnections: Side<
  GuestConnectionSearchField,
  GuestConnectionOrder,
  HostId,
  components['schemas']['GuestConnection']
> = {
  view: guestConnectionView,
  mine: 'host_organization_id',
  role: 'host',
  counterpart: 'guest_organization_id',
  archived: 'host_archived',
  searchColumns: { guest_name: 'guest_name', guest_email: 'guest_email', owner_email: 'guest_owner_email' },
  orderKeys: {
    guest_name: copy('guest_name'),
    guest_email: copy('guest_email'),
    owner_email: copy('guest_owner_email'),
    created_at: own('created_at', false),
    updated_at: own('updated_at', false),
    archived_at: own('host_archived_at', true),
    active_action_updated_at: own('active_action_updated_at', true),
    total_score: own('total_score', true),
    score_updated_at: own('score_updated_at', true),
  },
};
