// The actions a host opens on a connection, each read through its view (server/store/views.ts).
import { sql, type Kysely } from 'kysely';
import type { components } from '../../generated/openapi.js';
import type { ValidatedQuery } from '../contract/inputs.js';
import { inListOrder, pageOf, type List } from './list.js';
import { isUuid } from './organizations.js';
import type { Pair } from './pair.js';
import type { ActionType, ConnectionAction as ActionRow, Database } from './schema.js';
import { selections } from './view.js';
import { connectionActionView } from './views.js';

type ConnectionAction = components['schemas']['ConnectionAction'];
const returned = selections(connectionActionView, 'connection_actions', undefined);

/** Fails with unique violation 23505 when an action of this type is active already on the connection. */
export async function insertAction(
  trx: Kysely<Database>,
  pair: Pair,
  actionType: ActionType,
  now: Date,
): Promise<ConnectionAction> {
  return trx
    .insertInto('connection_actions')
    .values({
      host_organization_id: pair.host,
      guest_organization_id: pair.guest,
      action_type: actionType,
      created_at: now,
      updated_at: now,
    })
    .returning(returned)
    .$castTo<ConnectionAction>()
    .executeTakeFirstOrThrow();
}

/** The action's row if it belongs to this connection, locked until the transaction ends. */
export async function lockAction(trx: Kysely<Database>, pair: Pair, id: string): Promise<ActionRow | undefined> {
  if (!isUuid(id)) return undefined;
  return trx
    .selectFrom('connection_actions')
    .selectAll()
    .where('id', '=', id)
    .where('host_organization_id', '=', pair.host)
    .where('guest_organization_id', '=', pair.guest)
    .forUpdate()
    .executeTakeFirst();
}

export async function resolveAction(trx: Kysely<Database>, id: string, now: Date): Promise<ConnectionAction> {
  return trx
    .updateTable('connection_actions')
    .set({ status: 'resolved', resolved_at: now, updated_at: now })
    .where('id', '=', id)
    .returning(returned)
    .$castTo<ConnectionAction>()
    .executeTakeFirstOrThrow();
}

function actionsOf(db: Kysely<Database>, pair: Pair) {
  return db
    .selectFrom('connection_actions as a')
    .where('a.host_organization_id', '=', pair.host)
    .where('a.guest_organization_id', '=', pair.guest);
}

// Newest first, ties broken by id.
const newest = { expression: sql.ref('a.created_at'), nullable: false };

/** The type of the connection's most recent still-active action; null when none is active. */
export async function latestActiveActionType(trx: Kysely<Database>, pair: Pair): Promise<ActionType | null> {
  const row = await inListOrder(
    actionsOf(trx, pair).select('a.action_type').where('a.status', '=', 'active'),
    newest,
    sql.ref('a.id'),
    'desc',
  )
    .limit(1)
    .executeTakeFirst();
  return row?.action_type ?? null;
}

/** One page of the connection's actions, newest first. */
export async function listActions(
  db: Kysely<Database>,
  pair: Pair,
  query: ValidatedQuery<'listGuestConnectionActions'>,
): Promise<List<ConnectionAction>> {
  let matches = actionsOf(db, pair);
  if (query.status !== undefined) matches = matches.where('a.status', '=', query.status);
  return pageOf(
    db,
    matches,
    matches.select(selections(connectionActionView, 'a', undefined)).$castTo<ConnectionAction>(),
    { key: newest, tieBreak: sql.ref('a.id'), dir: 'desc' },
    query,
  );
}
