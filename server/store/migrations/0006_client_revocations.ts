// Every change of an API client (a revocation above all, however it is made: the admin command
// or plain SQL) is announced on `api_client_revoked` with its client id, so that each server
// process can drop what it remembers of that client (server/store/active-clients.ts).
import { sql, type Kysely, type Migration } from 'kysely';

const statements = [
  `create function notify_api_client_changed() returns trigger language plpgsql as $$
  begin
    perform pg_notify('api_client_revoked', old.client_id);
    return null;
  end
  $$`,
  `create trigger api_clients_changed after update or delete on api_clients
    for each row execute function notify_api_client_changed()`,
];

export const clientRevocations: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const statement of statements) await sql.raw(statement).execute(db);
  },
};
