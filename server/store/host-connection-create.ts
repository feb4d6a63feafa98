// The statements of POST /host-connections (server/domain/host-connections.ts says how they
// fit together). A success sends, inside its transaction: the Idempotency-Key's lock (only with
// a key), one read that also locks the invitation, and one write; BEGIN and COMMIT around them.
import type { Kysely } from 'kysely';
import { isUuid } from './organizations.js';
import type { Pair } from './pair.js';
import { prepared } from './prepared.js';
import type { Database, InvitationStatus, WebhookEventType } from './schema.js';
import { selectionText } from './view.js';
import { hostConnectionView } from './views.js';

/** What the read finds: the stored key, both organizations, an existing connection, the locked invitation. */
export type CreateContext = {
  /** The key's record stored within the window; null without a key or when none. */
  key_operation_id: string | null;
  key_request_hash: string | null;
  key_result: string | null;
  host_id: string | null;
  guest_id: string | null;
  /** A connection of the pair exists, in either status (as of the start of this statement). */
  connected: boolean;
  /** The invitation, locked until the transaction ends; null when none. */
  invitation_id: string | null;
  invitation_host_organization_id: string | null;
  invitation_status: InvitationStatus | null;
  invitation_archived: boolean | null;
  invitation_expired_at: Date | null;
  invitation_parent_organization_id: string | null;
  /** The invitation matched by e-mail is addressed to an e-mail of another organization as well; false for a token's. */
  invitation_email_shared: boolean | null;
  /** The event types the host's enabled webhook endpoints subscribe to; null when none. */
  host_webhook_types: WebhookEventType[] | null;
};

// $1 guest, $2 host, $3 the key (null: none), $4 the start of the key's window; the invitation
// then comes from $5: the token, or (tokenless) `now`.
const contextColumns = `
  k.operation_id as key_operation_id, k.request_hash as key_request_hash, k.result as key_result,
  host.id as host_id,
  guest.id as guest_id,
  exists (select from connections c where c.host_organization_id = $2 and c.guest_organization_id = $1) as connected,
  i.id as invitation_id, i.host_organization_id as invitation_host_organization_id, i.status as invitation_status,
  i.archived as invitation_archived, i.expired_at as invitation_expired_at,
  i.parent_organization_id as invitation_parent_organization_id, i.email_shared as invitation_email_shared,
  (select array_agg(distinct t.type) from webhook_endpoints w cross join unnest(w.event_types) t (type)
    where w.organization_id = $2 and w.enabled) as host_webhook_types`;
const contextJoins = `
  from (select) as one
  left join idempotency_keys k on $3::text is not null and k.organization_id = $1 and k.key = $3 and k.created_at > $4
  left join organizations host on host.id = $2
  left join organizations guest on guest.id = $1
  left join invitation i on true`;
const invitationColumns = 'id, host_organization_id, status, archived, expired_at, parent_organization_id';

/** The invitation holding the token, whatever its host or state. */
export const contextByToken = prepared<
  CreateContext,
  [guest: string, host: string, key: string | null, since: Date, token: string]
>(
  'create_host_connection_context_by_token',
  `with invitation as materialized (
     select ${invitationColumns}, false as email_shared from invitations where invitation_token = $5 for update
   )
   select ${contextColumns} ${contextJoins}`,
);

/**
 * The host's oldest pending, unexpired, unarchived invitation to one of the guest's two
 * addresses (case-insensitive), those addressed to another organization's address as well
 * last: `email_shared` says when only such a one matched. A request that waited for the lock
 * while another accepted that invitation gets none: PostgreSQL re-checks the locked row only,
 * it does not look for the next match.
 */
const contextByEmail = prepared<
  CreateContext,
  [guest: string, host: string, key: string | null, since: Date, now: Date]
>(
  'create_host_connection_context_by_email',
  `with invitation as materialized (
     select ${invitationColumns}, exists (
         select from organizations o
         where o.id <> $1 and (lower(o.email) = lower(invitations.email) or lower(o.owner_email) = lower(invitations.email))
       ) as email_shared
     from invitations
     where host_organization_id = $2 and status = 'sent' and archived = false and expired_at > $5
       and lower(email) = any ((select array[lower(g.email), lower(g.owner_email)] from organizations g where g.id = $1)::text[])
     order by email_shared, created_at, id
     limit 1
     for update
   )
   select ${contextColumns} ${contextJoins}`,
);

/**
 * One statement: the key's stored request and result (when `key` is set), both organizations,
 * whether the pair is connected, and the invitation (by `token`, or else by e-mail), locked
 * until the transaction ends. Lock waits happen here, after the statement's snapshot was
 * taken: what it says about the connection may be older than the invitation it returns. A
 * request that waited must look again before it trusts a refusal (`connectionExists`).
 */
export async function readCreateContext(
  trx: Kysely<Database>,
  request: { pair: Pair; token: string | null; key: string | undefined; keySince: Date; now: Date },
): Promise<CreateContext | undefined> {
  const { pair, token, keySince } = request;
  if (!isUuid(pair.host) || !isUuid(pair.guest)) return undefined;
  const key = request.key ?? null;
  return token === null
    ? contextByEmail.first(trx, pair.guest, pair.host, key, keySince, request.now)
    : contextByToken.first(trx, pair.guest, pair.host, key, keySince, token);
}

// The guest's view of the new row, as JSON text: the response, and the record stored with the key.
const createdJson = `(select row_to_json(v)::text from (select ${selectionText(hostConnectionView, 'c')} from connection c) v)`;

// $1 host, $2 guest, $3 invitation, $4 its parent, $5 now, $6 the invitation's new status.
const connectAndAccept = `
  with connection as (
    insert into connections (host_organization_id, guest_organization_id, status, invitation_id, parent_organization_id, created_at, updated_at)
    values ($1, $2, 'connected', $3, $4, $5, $5)
    returning *
  ), accepted as (
    update invitations set status = $6, accepted_at = $5, accepted_by_organization_id = $2, updated_at = $5 where id = $3
  )`;

type ConnectParams = [
  host: string,
  guest: string,
  invitation: string,
  parent: string | null,
  now: Date,
  status: InvitationStatus,
];

/** What the write returns: the guest's view of the new connection as JSON text. */
type Created = { json: string };

export const connectStatement = prepared<Created, ConnectParams>(
  'create_host_connection',
  `${connectAndAccept} select ${createdJson} as json`,
);

/** The same, and the key's record ($7 key, $8 operation, $9 request hash), the result being the new view, replacing an expired one. */
const connectAndSaveKey = prepared<Created, [...ConnectParams, key: string, operationId: string, requestHash: string]>(
  'create_host_connection_with_key',
  `${connectAndAccept}, saved as (
     insert into idempotency_keys (organization_id, key, operation_id, request_hash, result, created_at)
     values ($2, $7, $8, $9, ${createdJson}, $5)
     on conflict (organization_id, key) do update
       set operation_id = excluded.operation_id, request_hash = excluded.request_hash, result = excluded.result, created_at = excluded.created_at
   )
   select ${createdJson} as json`,
);

export type Connect = {
  pair: Pair;
  invitationId: string;
  parentOrganizationId: string | null;
  invitationStatus: Exclude<InvitationStatus, 'sent'>;
  now: Date;
  /** The Idempotency-Key's record to store with the connection's view, if the request has a key. */
  key?: { key: string; operationId: string; requestHash: string } | undefined;
};

/**
 * One statement: the new connection, the invitation's acceptance and (with a key) the stored
 * result; returns the guest's view of the connection as the JSON text stored with the key. A
 * concurrent request that made the pair's connection first makes it fail with a unique
 * violation; nothing is written then.
 */
export async function insertConnectionAndAccept(trx: Kysely<Database>, values: Connect): Promise<string> {
  const params: ConnectParams = [
    values.pair.host,
    values.pair.guest,
    values.invitationId,
    values.parentOrganizationId,
    values.now,
    values.invitationStatus,
  ];
  const { key } = values;
  const row =
    key === undefined
      ? await connectStatement.first(trx, ...params)
      : await connectAndSaveKey.first(trx, ...params, key.key, key.operationId, key.requestHash);
  if (row === undefined) throw new Error('the connection insert returned no row');
  return row.json;
}
