// total_items comes from counts the database keeps (migration 0008) and the order and search
// from copies of the organizations' fields (migration 0007): both must stay exact however rows
// are written. Every step here writes with plain SQL, then every filter of both lists is
// checked against a count(*) of the rows themselves, joined to the organizations as they are.
import { sql, type Kysely } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { guestConnections, hostConnections, type Side } from '../../server/store/connection-sides.js';
import { listConnections } from '../../server/store/connection-lists.js';
import type { ConnectionStatus, Database } from '../../server/store/schema.js';
import { engines, insertTestOrganization, openTestStore } from '../support/database.js';

const STATUS_SETS: ConnectionStatus[][] = [['connected'], ['disconnected'], ['connected', 'disconnected']];

describe.each(engines)('list counts and copies under plain SQL writes (%s)', (engine) => {
  let db: Kysely<Database>;
  let host: string;
  let guest: string;
  let others: string[];

  beforeAll(async () => {
    db = (await openTestStore(engine)).db;
    host = (await insertTestOrganization(db, { name: 'Counting host' })).id;
    guest = (await insertTestOrganization(db, { name: 'Counting guest' })).id;
    others = [];
    for (let i = 0; i < 6; i++) others.push((await insertTestOrganization(db, { name: `Counted ${i} Zebra` })).id);
  }, 60_000);

  /** What total_items must be: the rows counted, the search matched on the organization itself. */
  async function counted(
    side: Side<string, string>,
    lister: string,
    statuses: ConnectionStatus[],
    archived: boolean | undefined,
    search: string | undefined,
  ) {
    const other = side.counterpart === 'host_organization_id' ? 'host_organization_id' : 'guest_organization_id';
    const { rows } = await sql<{ total: number }>`
      select count(*) as total from connections c join organizations o on o.id = ${sql.ref(`c.${other}`)}
      where ${sql.ref(`c.${side.mine}`)} = ${lister} and c.status in (${sql.join(statuses)})
        and (${archived ?? null}::boolean is null or ${sql.ref(`c.${side.archived}`)} = ${archived ?? null})
        and (${search ?? null}::text is null or strpos(lower(o.name), lower(${search ?? null})) > 0)`.execute(db);
    return Number(rows[0]?.total);
  }

  /** Every filter of both lists (and a search by name) against the rows, and every copy against its organization. */
  async function expectExact(): Promise<void> {
    const sides: [Side<string, string>, string, string][] = [
      [guestConnections, host, 'guest_name'],
      [hostConnections, guest, 'host_name'],
    ];
    for (const [side, lister, nameField] of sides)
      for (const statuses of STATUS_SETS)
        for (const archived of [undefined, false, true])
          for (const search of [undefined, 'zebra', 'renamed']) {
            const query = {
              statuses,
              archived,
              search_field: nameField,
              search_text: search,
              order_by: nameField,
              order_dir: 'asc' as const,
              limit: 100,
              offset: 0,
            };
            const { items, total_items: total } = await listConnections(db, side, lister, query);
            const expected = await counted(side, lister, statuses, archived, search);
            expect({ side: side.role, statuses, archived, search, total }).toEqual({
              side: side.role,
              statuses,
              archived,
              search,
              total: expected,
            });
            expect(items).toHaveLength(expected);
          }
    const { rows } = await sql<{ stale: number }>`
      select count(*) as stale from connections c
        join organizations h on h.id = c.host_organization_id join organizations g on g.id = c.guest_organization_id
      where (c.host_organization_id = ${host} or c.guest_organization_id = ${guest})
        and (c.host_name, c.host_email, c.host_owner_email, c.guest_name, c.guest_email, c.guest_owner_email)
          is distinct from (h.name, h.email, h.owner_email, g.name, g.email, g.owner_email)`.execute(db);
    expect(Number(rows[0]?.stale)).toBe(0);
  }

  it('stay exact through inserts, updates, moves, renames and deletes', async () => {
    const [a, b, c, d, e, f] = others as [string, string, string, string, string, string];
    await expectExact();

    // One statement, several rows, both roles; the copies given are wrong on purpose.
    await sql`
      insert into connections (host_organization_id, guest_organization_id, status, host_archived, guest_archived, guest_name)
      values (${host}, ${a}, 'connected', false, false, 'not the name'), (${host}, ${b}, 'connected', true, false, null),
        (${host}, ${c}, 'disconnected', false, true, null), (${a}, ${guest}, 'connected', false, true, null),
        (${b}, ${guest}, 'disconnected', false, false, null), (${c}, ${guest}, 'connected', false, false, null)`.execute(
      db,
    );
    await expectExact();

    // Many rows at once, from generate_series.
    await sql`
      insert into connections (host_organization_id, guest_organization_id, status, host_archived)
      select ${host}, (array[${d}, ${e}]::uuid[])[i], case when i = 1 then 'disconnected' else 'connected' end, i = 2
      from generate_series(1, 2) i`.execute(db);
    await expectExact();

    // Status and flags changed for some rows of a statement, not others; columns not counted changed too.
    await sql`update connections set status = case when guest_organization_id = ${a} then 'disconnected' else status end,
      host_archived = not host_archived, updated_at = now() where host_organization_id = ${host}`.execute(db);
    await sql`update connections set guest_archived = true, total_score = 5 where guest_organization_id = ${guest} and host_organization_id = ${b}`.execute(
      db,
    );
    await sql`update connections set active_action_updated_at = now() where host_organization_id = ${host}`.execute(db);
    await expectExact();

    // A connection moved to another guest, and a copy written over by hand.
    await sql`update connections set guest_organization_id = ${f} where host_organization_id = ${host} and guest_organization_id = ${e}`.execute(
      db,
    );
    await sql`update connections set host_name = 'forged' where guest_organization_id = ${guest}`.execute(db);
    await expectExact();

    // Organizations renamed: the lists now find them by the new name only.
    await sql`update organizations set name = 'Renamed ' || name where id in (${a}, ${c}, ${f})`.execute(db);
    await sql`update organizations set email = 'renamed-' || email where id = ${b}`.execute(db);
    await expectExact();

    await sql`delete from connections where host_organization_id = ${host} and guest_organization_id in (${b}, ${d})`.execute(
      db,
    );
    await sql`delete from connections where guest_organization_id = ${guest} and status = 'connected'`.execute(db);
    await expectExact();

    await sql`delete from connections where host_organization_id = ${host} or guest_organization_id = ${guest}`.execute(
      db,
    );
    await expectExact();
    // Seven rounds of 108 lists and counts each: about 15 s on PGlite alone, more on a shared machine.
  }, 60_000);

  it('refuses a connection to an organization that does not exist as the foreign key does', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const error =
      await sql`insert into connections (host_organization_id, guest_organization_id, status) values (${host}, ${missing}, 'connected')`
        .execute(db)
        .then(
          () => undefined,
          (reason: unknown) => reason,
        );
    expect(error).toMatchObject({ code: '23503', constraint: 'connections_guest_organization_id_fkey' });
  });
});
