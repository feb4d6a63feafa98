// The benchmark's data, bulk-loaded with plain SQL (generate_series) into the store's tables,
// the same statements on PostgreSQL and PGlite. Every id and token is derived from a name
// (`md5(name)::uuid`), so this side computes them without reading anything back.
import { createHash } from 'node:crypto';

/** Runs one statement; both pg's Client and PGlite fit. */
export type Execute = (sql: string, params?: unknown[]) => Promise<{ rows: unknown[] }>;

export interface Sizes {
  /** Connections of the large guest-connections list (0: none). */
  largeList: number;
  /** Connections of the small guest-connections list (0: none). */
  smallList: number;
  /** Guests that have not connected yet, each with its own pending invitation. */
  postGuests: number;
}

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

/** What PostgreSQL makes of `md5(name)::uuid`. */
export function uuidOf(name: string): string {
  const hex = md5(name);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const LIST_HOSTS = 25;

/** A caller: its organization and API client. */
export interface Caller {
  organizationId: string;
  clientId: string;
}

const caller = (name: string): Caller => ({
  organizationId: uuidOf(`bench-${name}`),
  clientId: `bench-client-${name}`,
});

export const fixtures = {
  /** A guest connected to LIST_HOSTS hosts: its host-connections list, and one of them by id. */
  lister: caller('lister'),
  listedHost: (i: number): string => uuidOf(`bench-lister-host-${i}`),
  /** Hosts of the guest-connections lists. */
  largeHost: caller('large-host'),
  smallHost: caller('small-host'),
  /** The host every new connection of POST /host-connections is made with. */
  postHost: uuidOf('bench-post-host'),
  postGuest: (i: number): Caller & { invitationToken: string } => ({
    ...caller(`post-guest-${i}`),
    invitationToken: `bench_invitation_${md5(`bench-invitation-${i}`)}`,
  }),
};

// Guest i of the lists is `bench-guest-i`; the small list's guests are the first of the large one's.
const GUEST = `md5('bench-guest-' || i)::uuid`;

/** A statement, its parameters, and whether the store's own triggers must see it. */
type Statement = [string, unknown[], 'triggers'?];

function statements(sizes: Sizes): Statement[] {
  const listGuests = Math.max(sizes.largeList, sizes.smallList);
  const organization = (name: string, label: string): [string, unknown[]] => [
    `insert into organizations (id, name, email, owner_email) values (md5($1)::uuid, $2, $3, $4)`,
    [`bench-${name}`, label, `${name}@bench.example`, `owner-${name}@bench.example`],
  ];
  const client = (name: string): [string, unknown[]] => [
    `insert into api_clients (client_id, organization_id, secret_hash) values ($1, md5($2)::uuid, 'bench: nobody presents this secret')`,
    [`bench-client-${name}`, `bench-${name}`],
  ];
  return [
    organization('lister', 'Bench lister'),
    client('lister'),
    organization('large-host', 'Bench large host'),
    client('large-host'),
    organization('small-host', 'Bench small host'),
    client('small-host'),
    organization('parent', 'Bench parent'),
    [
      `insert into organizations (id, name, email, owner_email)
       select md5('bench-lister-host-' || i)::uuid, 'Host ' || lpad(i::text, 2, '0'), 'host-' || i || '@bench.example', 'owner-host-' || i || '@bench.example'
       from generate_series(1, $1::int) i`,
      [LIST_HOSTS],
    ],
    [
      `insert into connections (host_organization_id, guest_organization_id, status)
       select md5('bench-lister-host-' || i)::uuid, md5('bench-lister')::uuid, 'connected' from generate_series(1, $1::int) i`,
      [LIST_HOSTS],
      'triggers',
    ],
    // The lists' guests: names and e-mails with random-looking parts, so a substring search
    // matches a steady share of them (about 0.15% for three hex digits).
    [
      `insert into organizations (id, name, email, owner_email, created_at)
       select ${GUEST}, 'Guest ' || substr(md5('name-' || i), 1, 8),
         'guest-' || substr(md5('email-' || i), 1, 10) || '@bench.example',
         'owner-' || substr(md5('owner-' || i), 1, 10) || '@bench.example',
         now() - (i % 31536000) * interval '1 second'
       from generate_series(1, $1::int) i order by 1`,
      [listGuests],
    ],
    // Their connections: 5% disconnected, 10% archived by the host, 20% without a score,
    // 6% with an active action, 2% with a parent; dates spread over a year.
    [
      `insert into connections (host_organization_id, guest_organization_id, status, parent_organization_id,
         host_archived, host_archived_at, total_score, score_updated_at, active_action_type, active_action_updated_at, created_at, updated_at)
       select h.id, ${GUEST},
         case when i % 20 = 0 then 'disconnected' else 'connected' end,
         case when i % 50 = 0 then md5('bench-parent')::uuid end,
         i % 10 = 0, case when i % 10 = 0 then now() - (i % 86400) * interval '1 second' end,
         case when i % 5 <> 0 then ((i * 37) % 1000) / 10.0 end,
         case when i % 5 <> 0 then now() - ((i * 13) % 2592000) * interval '1 second' end,
         case when i % 17 = 0 then 'documents_update_request' end,
         case when i % 17 = 0 then now() - ((i * 7) % 604800) * interval '1 second' end,
         now() - ((i * 7919) % 31536000 + 86400) * interval '1 second',
         now() - ((i * 7919) % 31536000 + 86400) * interval '1 second' + ((i * 104729) % 86400) * interval '1 second'
       from (values (md5('bench-large-host')::uuid, $1::int), (md5('bench-small-host')::uuid, $2::int)) h(id, n),
         generate_series(1::bigint, h.n) i
       order by 1, 2`,
      [sizes.largeList, sizes.smallList],
      'triggers',
    ],
    organization('post-host', 'Bench host of new connections'),
    [
      `insert into organizations (id, name, email, owner_email)
       select md5('bench-post-guest-' || i)::uuid, 'New guest ' || i, 'post-guest-' || i || '@bench.example', 'owner-post-guest-' || i || '@bench.example'
       from generate_series(1, $1::int) i order by 1`,
      [sizes.postGuests],
    ],
    [
      `insert into api_clients (client_id, organization_id, secret_hash)
       select 'bench-client-post-guest-' || i, md5('bench-post-guest-' || i)::uuid, 'bench: nobody presents this secret'
       from generate_series(1, $1::int) i`,
      [sizes.postGuests],
    ],
    [
      `insert into invitations (host_organization_id, email, invitation_token, expired_at)
       select md5('bench-post-host')::uuid, 'post-guest-' || i || '@bench.example', 'bench_invitation_' || md5('bench-invitation-' || i), now() + interval '1 day'
       from generate_series(1, $1::int) i`,
      [sizes.postGuests],
    ],
  ];
}

const TABLES = ['organizations', 'api_clients', 'invitations', 'connections', 'connection_counts'];

/**
 * Loads everything. Faster than row by row: foreign-key triggers are off for this session
 * (the data is consistent by construction), and the indexes that back no constraint are
 * dropped first and built again, each from its own definition, after the rows are in.
 * Connections are the exception: they are inserted with every trigger on, so that the
 * store's own triggers fill their copies of the organizations' names and e-mails and the
 * counts of the lists, as they do for any write (migrations 0007 and 0008). Measured on
 * PostgreSQL with the indexes dropped, 1,000,000 connections took 36 s that way, and 11 s
 * with the triggers off and the copies joined in by hand (then the counts need a statement
 * of their own); the index builds afterwards take about two minutes either way.
 */
export async function bulkLoad(execute: Execute, sizes: Sizes): Promise<void> {
  await execute(`set session_replication_role = replica`);
  await execute(`set maintenance_work_mem = '256MB'`);
  const { rows } = await execute(
    `select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition
     from pg_index i
     where i.indrelid = any (array[${TABLES.map((t) => `'${t}'::regclass`).join(', ')}])
       and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`,
  );
  const indexes = rows as { name: string; definition: string }[];
  for (const { name } of indexes) await execute(`drop index ${name}`);
  for (const [sql, params, triggers] of statements(sizes)) {
    if (triggers === undefined) {
      await execute(sql, params);
      continue;
    }
    await execute(`set session_replication_role = origin`);
    await execute(sql, params);
    await execute(`set session_replication_role = replica`);
  }
  for (const { definition } of indexes) await execute(definition);
  await execute(`set session_replication_role = origin`);
  for (const table of TABLES) await execute(`vacuum analyze ${table}`);
}

/**
 * What `total_items` must be for each list shape of one host: counted here with a query of its
 * own (strpos on lower(), not the server's ILIKE), over the connected connections.
 */
export async function expectedTotals(
  execute: Execute,
  host: string,
  searches: { field: 'guest_name' | 'guest_email' | 'owner_email'; text: string }[],
): Promise<{ all: number; search: number[] }> {
  const column = { guest_name: 'g.name', guest_email: 'g.email', owner_email: 'g.owner_email' };
  const filters = searches.map(
    (s, i) => `count(*) filter (where strpos(lower(${column[s.field]}), lower($${i + 2})) > 0) as s${i}`,
  );
  const { rows } = await execute(
    `select count(*) as all_rows${filters.map((f) => `, ${f}`).join('')}
     from connections c join organizations g on g.id = c.guest_organization_id
     where c.host_organization_id = $1 and c.status = 'connected'`,
    [host, ...searches.map((s) => s.text)],
  );
  const row = rows[0] as Record<string, string>;
  return { all: Number(row.all_rows), search: searches.map((_, i) => Number(row[`s${i}`])) };
}
