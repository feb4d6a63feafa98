// Lists of 1,000,000 connections read one page from an index, never the whole set (issue #8).
//
// The other party's name and e-mails are copied onto each connection (`host_*` for the guest's
// list, `guest_*` for the host's), so that ordering and searching by them needs no join. The
// database keeps the copies right however rows are written, plain SQL included: a connection
// takes them from `organizations` whenever it is written, and a change of an organization is
// written through to its connections.
//
// Each list order has an index `(mine, status, archived, key, counterpart)`: with `status` and
// the lister's archive flag fixed, the index holds the rows in list order (ties broken by the
// other party's id), and a list over several statuses or both flags merges one range per
// combination (server/store/connection-lists.ts). Nulls come last in both directions, so a key that
// can be null has a second index `key desc nulls last, counterpart desc` (migration 0010 drops
// it: the descending list reads the key's values, then its nulls, each part backwards from the
// first index); for the others the first index read backwards is the descending order. A
// lower-cased copy's index includes the copy itself, so that a page deep into the list is
// found from the index alone. Substring searches use a trigram index per lister and copy
// (btree_gin puts the lister's id in it), so a search costs the lister's matches, not every
// organization's. What the old indexes served, these do (their leading columns are the same).
import { sql, type Kysely, type Migration } from 'kysely';

type Party = 'host' | 'guest';
const other = (party: Party): Party => (party === 'host' ? 'guest' : 'host');

/** The keys of each lister's orders: the other party's copies lower-cased, then its own columns. */
function listKeys(lister: Party): { name: string; key: string; nullable: boolean }[] {
  const copies = ['name', 'email', 'owner_email'].map((field) => ({
    name: `${other(lister)}_${field}`,
    key: `lower(${other(lister)}_${field})`,
    nullable: false,
  }));
  const own = [
    ['created_at', false],
    ['updated_at', false],
    [`${lister}_archived_at`, true],
    ['active_action_updated_at', true],
    ...(lister === 'host'
      ? ([
          ['total_score', true],
          ['score_updated_at', true],
        ] as const)
      : []),
  ] as const;
  return [...copies, ...own.map(([column, nullable]) => ({ name: column, key: column, nullable }))];
}

function listIndexes(lister: Party): string[] {
  const prefix = `${lister}_organization_id, status, ${lister}_archived`;
  const counterpart = `${other(lister)}_organization_id`;
  return listKeys(lister).flatMap(({ name, key, nullable }) => [
    `create index connections_${lister}_list_${name}_idx on connections (${prefix}, ${key}, ${counterpart})${key === name ? '' : ` include (${name})`}`,
    ...(nullable
      ? [
          `create index connections_${lister}_list_${name}_desc_idx on connections (${prefix}, ${key} desc nulls last, ${counterpart} desc)`,
        ]
      : []),
  ]);
}

const copyColumns = (['host', 'guest'] as const).flatMap((party) =>
  ['name', 'email', 'owner_email'].map((field) => ({ party, field, column: `${party}_${field}` })),
);

const statements = [
  `create extension if not exists pg_trgm`,
  `create extension if not exists btree_gin`,
  `alter table connections ${copyColumns.map(({ column }) => `add column ${column} text`).join(', ')}`,

  // A connection's copies are its organizations' fields, whatever a write sets them to. The
  // organization row is locked (for share) so that a rename committing meanwhile either waits
  // for this connection and then updates it, or has committed and is what is read here. A
  // missing organization is refused as the foreign key would refuse it (which checks only after
  // this). The one update made from within a trigger is the rename's own below, which writes
  // the organization's new fields: taken as they are, without reading and locking both
  // organizations again for each of its connections.
  `create function connection_copies() returns trigger language plpgsql as $$
  begin
    if tg_op = 'UPDATE' and pg_trigger_depth() > 1 then
      return new;
    end if;
    select name, email, owner_email into new.host_name, new.host_email, new.host_owner_email
      from organizations where id = new.host_organization_id for share;
    if not found then
      raise foreign_key_violation using constraint = 'connections_host_organization_id_fkey',
        message = format('organization %s (the host) does not exist', new.host_organization_id);
    end if;
    select name, email, owner_email into new.guest_name, new.guest_email, new.guest_owner_email
      from organizations where id = new.guest_organization_id for share;
    if not found then
      raise foreign_key_violation using constraint = 'connections_guest_organization_id_fkey',
        message = format('organization %s (the guest) does not exist', new.guest_organization_id);
    end if;
    return new;
  end
  $$`,
  `create function organization_copies() returns trigger language plpgsql as $$
  begin
    update connections set host_name = new.name, host_email = new.email, host_owner_email = new.owner_email
      where host_organization_id = new.id;
    update connections set guest_name = new.name, guest_email = new.email, guest_owner_email = new.owner_email
      where guest_organization_id = new.id;
    return null;
  end
  $$`,
  // Created before the copies are filled: from here on, a rename waits for this migration.
  `create trigger organizations_copied after update of name, email, owner_email on organizations
    for each row when (old.name is distinct from new.name or old.email is distinct from new.email
      or old.owner_email is distinct from new.owner_email)
    execute function organization_copies()`,
  `create trigger connections_copies before insert or update of host_organization_id, guest_organization_id,
    ${copyColumns.map(({ column }) => column).join(', ')} on connections
    for each row execute function connection_copies()`,
  `update connections c set ${copyColumns.map(({ party, field, column }) => `${column} = ${party}.${field}`).join(', ')}
    from organizations host, organizations guest
    where host.id = c.host_organization_id and guest.id = c.guest_organization_id`,
  `alter table connections ${copyColumns.map(({ column }) => `alter column ${column} set not null`).join(', ')}`,

  ...['created_at', 'updated_at', 'guest_archived_at', 'active_action_updated_at', 'status'].map(
    (column) => `drop index connections_guest_${column}_idx`,
  ),
  ...[
    'created_at',
    'updated_at',
    'host_archived_at',
    'active_action_updated_at',
    'total_score',
    'score_updated_at',
    'status',
  ].map((column) => `drop index connections_host_${column}_idx`),
  ...listIndexes('host'),
  ...listIndexes('guest'),
  // `ilike '%text%'` on a copy, among the lister's connections only.
  ...copyColumns.map(
    ({ party, column }) =>
      `create index connections_${other(party)}_list_${column}_trgm_idx on connections using gin (${other(party)}_organization_id, ${column} gin_trgm_ops)`,
  ),
];

export const connectionListIndexes: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const statement of statements) await sql.raw(statement).execute(db);
  },
};
