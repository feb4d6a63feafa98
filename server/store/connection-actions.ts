import type { Kysely } from 'kysely';
import type { ListResult, Page } from './lists.js';
import { isUuid } from './organizations.js';
import type { ActionStatus, ActionType, ConnectionAction, Database } from './schema.js';

type Pair = { hostOrganizationId: string; guestOrganizationId: string };

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
      host_organization_id: pair.hostOrganizationId,
      guest_organization_id: pair.guestOrganizationId,
      action_type: actionType,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The action if it belongs to this connection, locked until the transaction ends. */
export async function lockAction(trx: Kysely<Database>, pair: Pair, id: string): Promise<ConnectionAction | undefined> {
  if (!isUuid(id)) return undefined;
  return trx
    .selectFrom('connection_actions')
    .selectAll()
    .where('id', '=', id)
    .where('host_organization_id', '=', pair.hostOrganizationId)
    .where('guest_organization_id', '=', pair.guestOrganizationId)
    .forUpdate()
    .executeTakeFirst();
}

export async function resolveAction(trx: Kysely<Database>, id: string, now: Date): Promise<ConnectionAction> {
  return trx
    .updateTable('connection_actions')
    .set({ status: 'resolved', resolved_at: now, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The type of the connection's most recent still-active action; null when none is active. */
export async function latestActiveActionType(trx: Kysely<Database>, pair: Pair): Promise<ActionType | null> {
  const row = await trx
    .selectFrom('connection_actions')
    .select('action_type')
    .where('host_organization_id', '=', pair.hostOrganizationId)
    .where('guest_organization_id', '=', pair.guestOrganizationId)
    .where('status', '=', 'active')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.action_type ?? null;
}

/** The connection's actions, newest first, ties broken by id. */
export async function listActions(
  db: Kysely<Database>,
  pair: Pair,
  status: ActionStatus | undefined,
  page: Page,
): Promise<ListResult<ConnectionAction>> {
  let matches = db
    .selectFrom('connection_actions')
    .where('host_organization_id', '=', pair.hostOrganizationId)
    .where('guest_organization_id', '=', pair.guestOrganizationId);
  if (status !== undefined) matches = matches.where('status', '=', status);
  const [rows, count] = await Promise.all([
    matches
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    matches.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: count.total };
}
