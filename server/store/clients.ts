// API clients. The store never sees a client secret, only its hash: making and hashing
// credentials is the domain's job (server/domain/credentials.ts), and the store does not import upward.
import { sql, type Kysely } from 'kysely';
import { prepared } from './prepared.js';
import type { ApiClient, Database } from './schema.js';

export async function insertClient(
  db: Kysely<Database>,
  values: { client_id: string; organization_id: string; secret_hash: string },
): Promise<ApiClient> {
  return db.insertInto('api_clients').values(values).returningAll().executeTakeFirstOrThrow();
}

/** The client, revoked or not. */
export async function findClient(db: Kysely<Database>, client_id: string): Promise<ApiClient | undefined> {
  return db.selectFrom('api_clients').selectAll().where('client_id', '=', client_id).executeTakeFirst();
}

export const activeClientOrganization = prepared<{ organization_id: string }, [clientId: string]>(
  'active_client_organization',
  'select organization_id from api_clients where client_id = $1 and revoked_at is null',
);

/**
 * The organization of the client if it exists and is not revoked. Asked by every authenticated
 * request whose client is not cached (server/store/active-clients.ts): a prepared statement.
 */
export async function findActiveClientOrganization(
  db: Kysely<Database>,
  client_id: string,
): Promise<string | undefined> {
  return (await activeClientOrganization.first(db, client_id))?.organization_id;
}

/** The client if it exists and is not revoked. */
export async function findActiveClient(db: Kysely<Database>, client_id: string): Promise<ApiClient | undefined> {
  return db
    .selectFrom('api_clients')
    .selectAll()
    .where('client_id', '=', client_id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

/** Revokes an active client; false when there is no such client or it was already revoked. */
export async function revokeClient(db: Kysely<Database>, client_id: string): Promise<boolean> {
  const result = await db
    .updateTable('api_clients')
    .set({ revoked_at: sql<Date>`now()` })
    .where('client_id', '=', client_id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
