// `total_items` of a connection list without counting the list (issue #8): the database keeps,
// per organization and role (host or guest), status and that role's archive flag, how many
// connections there are. Statement triggers on `connections` add what each insert, update,
// delete or truncate changes, from its transition tables, so counts stay exact however rows
// are written (plain SQL, a bulk insert of a million rows) and cost one statement per write.
//
// Each key is spread over 16 rows (`slot`, from the backend's pid): concurrent transactions,
// say many guests connecting to one host at once, mostly update rows of their own instead of
// queueing for one row lock until they commit. A count is the sum of its slots (at most 64 rows).
// A search is not counted here: server/store/connections.ts counts its matches through the
// trigram index.
import { sql, type Kysely, type Migration } from 'kysely';

/** The counted keys of the rows of a transition table, each with `sign` (1 or -1). */
const keys = (table: string, sign: number): string =>
  `select host_organization_id, 'host', status, host_archived, ${sign} from ${table}
   union all select guest_organization_id, 'guest', status, guest_archived, ${sign} from ${table}`;

/** Adds the net change of one statement; keys whose change nets to zero are left alone (an update of other columns). */
const addChanges = (changes: string): string => `
  insert into connection_counts as counted (organization_id, role, status, archived, slot, n)
  select organization_id, role, status, archived, pg_backend_pid() % 16, sum(n)
  from (${changes}) change (organization_id, role, status, archived, n)
  group by organization_id, role, status, archived
  having sum(n) <> 0
  order by organization_id, role, status, archived
  on conflict (organization_id, role, status, archived, slot) do update set n = counted.n + excluded.n`;

const trigger = (name: string, body: string): string =>
  `create function ${name}() returns trigger language plpgsql as $$
  begin
    ${body};
    return null;
  end
  $$`;

const statements = [
  // No foreign key: a count of zero must not keep an organization from being deleted.
  `create table connection_counts (
    organization_id uuid not null,
    role text not null check (role in ('host', 'guest')),
    status text not null check (status in ('connected', 'disconnected')),
    archived boolean not null,
    slot smallint not null,
    n integer not null,
    primary key (organization_id, role, status, archived, slot)
  )`,
  trigger('count_inserted_connections', addChanges(keys('inserted', 1))),
  trigger('count_updated_connections', addChanges(`${keys('before_update', -1)} union all ${keys('after_update', 1)}`)),
  trigger('count_deleted_connections', addChanges(keys('deleted', -1))),
  trigger('count_truncated_connections', 'truncate connection_counts'),
  // Created before the counts are taken: from here on, writers wait for this migration.
  `create trigger connections_counted_insert after insert on connections
    referencing new table as inserted for each statement execute function count_inserted_connections()`,
  `create trigger connections_counted_update after update on connections
    referencing old table as before_update new table as after_update for each statement execute function count_updated_connections()`,
  `create trigger connections_counted_delete after delete on connections
    referencing old table as deleted for each statement execute function count_deleted_connections()`,
  `create trigger connections_counted_truncate after truncate on connections
    for each statement execute function count_truncated_connections()`,
  `insert into connection_counts (organization_id, role, status, archived, slot, n)
   select organization_id, role, status, archived, 0, count(*)
   from (${keys('connections', 1)}) counted (organization_id, role, status, archived, n)
   group by organization_id, role, status, archived`,
];

export const connectionCounts: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const statement of statements) await sql.raw(statement).execute(db);
  },
};
