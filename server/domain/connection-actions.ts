// Requests from a host to its guest, and the connection's "active action" that follows them.
// Every change locks the connection row first, so the actions of one connection and its
// active action change one transaction at a time.
import type { Kysely } from 'kysely';
import type { components } from '../../generated/openapi.js';
import type { ValidatedQuery } from '../contract/inputs.js';
import {
  insertAction,
  latestActiveActionType,
  listActions,
  lockAction,
  resolveAction,
} from '../store/connection-actions.js';
import { connectionExists, lockConnection, updateConnection } from '../store/connections.js';
import { isUniqueViolation } from '../store/errors.js';
import type { List } from '../store/list.js';
import type { Pair } from '../store/pair.js';
import type { ActionType, Database } from '../store/schema.js';
import { enqueueEvent, objectData } from '../store/webhook-outbox.js';
import { guestConnectionNotFound } from './guest-connections.js';
import { hostConnectionNotFound } from './host-connections.js';
import { ProblemError } from './problems.js';

type ConnectionAction = components['schemas']['ConnectionAction'];
// Both sides' action lists take the same query.
type ListQuery = ValidatedQuery<'listGuestConnectionActions'>;

/** The host opens an action; it becomes the connection's active action. */
export async function createGuestConnectionAction(
  db: Kysely<Database>,
  pair: Pair,
  actionType: ActionType,
  now: Date = new Date(),
): Promise<ConnectionAction> {
  return db.transaction().execute(async (trx) => {
    const connection = await lockConnection(trx, pair);
    if (connection === undefined) throw guestConnectionNotFound();
    if (connection.status !== 'connected') {
      throw new ProblemError(
        'connection_not_connected',
        'The guest has disconnected; actions need a connected connection.',
      );
    }
    let action: ConnectionAction;
    try {
      action = await insertAction(trx, pair, actionType, now);
    } catch (error) {
      // The partial unique index keeps one active action per type and connection.
      if (isUniqueViolation(error)) {
        throw new ProblemError('action_already_active', 'An action of this type is active already on this connection.');
      }
      throw error;
    }
    await setActiveAction(trx, pair, actionType, now);
    await enqueueEvent(trx, {
      organizationId: pair.guest,
      type: 'connection_action.created',
      data: objectData(action),
      now,
    });
    return action;
  });
}

/**
 * The guest resolves an action. The connection's active action becomes the most recent one
 * still active (null when none); its `active_action_updated_at` moves only when it changes.
 */
export async function resolveHostConnectionAction(
  db: Kysely<Database>,
  pair: Pair,
  actionId: string,
  now: Date = new Date(),
): Promise<ConnectionAction> {
  return db.transaction().execute(async (trx) => {
    const connection = await lockConnection(trx, pair);
    if (connection === undefined) throw hostConnectionNotFound();
    const action = await lockAction(trx, pair, actionId);
    if (action === undefined) throw new ProblemError('action_not_found', 'No such action on this connection.');
    if (action.status === 'resolved') {
      throw new ProblemError('action_already_resolved', 'This action was resolved already.');
    }
    const resolved = await resolveAction(trx, action.id, now);
    const active = await latestActiveActionType(trx, pair);
    if (active !== connection.active_action_type) await setActiveAction(trx, pair, active, now);
    const data = objectData(resolved);
    await enqueueEvent(trx, { organizationId: pair.host, type: 'connection_action.resolved', data, now });
    return resolved;
  });
}

/** The connection's active action changed: its type, and when. */
function setActiveAction(trx: Kysely<Database>, pair: Pair, type: ActionType | null, now: Date): Promise<void> {
  return updateConnection(trx, pair, { active_action_type: type, active_action_updated_at: now, updated_at: now });
}

/** The host's view of the actions on its connection with the guest. */
export async function listGuestConnectionActions(
  db: Kysely<Database>,
  pair: Pair,
  query: ListQuery,
): Promise<List<ConnectionAction>> {
  if (!(await connectionExists(db, pair))) throw guestConnectionNotFound();
  return listActions(db, pair, query);
}

/** The guest's view of the actions the host opened on their connection. */
export async function listHostConnectionActions(
  db: Kysely<Database>,
  pair: Pair,
  query: ListQuery,
): Promise<List<ConnectionAction>> {
  if (!(await connectionExists(db, pair))) throw hostConnectionNotFound();
  return listActions(db, pair, query);
}
