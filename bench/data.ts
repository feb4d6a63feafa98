// The bench's data, bulk-loaded with plain SQL (generate_series) into the store's tables, the
// same statements on PostgreSQL and PGlite, and its databases, gone at the end: a scratch
// database on the PostgreSQL server and PGlite directories under $TMPDIR. Every id and token is
// derived from a name (`md5(name)::uuid`), so this side computes them without reading back.
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CompiledQuery } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../server/store/database.js';
import { migrateToLatest } from '../server/store/migrate.js';
import { registerCleanup } from './processes.js';
import { type ListShape, listQuery } from './workloads.js';

/** Connections of the two guest lists; guests not connected yet, each with a pending invitation (none if left out). */
export type Sizes = { largeList?: number; smallList?: number; postGuests?: number };
/** A requester: its organization and API client. */
export type Requester = { organizationId: string; clientId: string };

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');
/** What PostgreSQL makes of `md5(name)::uuid`. */
const uuidOf = (name: string): string => md5(name).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
const requester = (name: string): Requester => ({
  organizationId: uuidOf(`bench-${name}`),
  clientId: `bench-client-${name}`,
});

export const fixtures = {
  /** A guest connected to 25 hosts: its host-connections list, and one of them by id. */
  lister: requester('lister'),
  listedHost: (i: number): string => uuidOf(`bench-lister-host-${i}`),
  /** Hosts of the guest-connections lists. */
  largeHost: requester('large-host'),
  smallHost: requester('small-host'),
  /** The guests of both lists (the small one's are the first of the large one's). */
  listGuest: (i: number): string => uuidOf(`bench-guest-${i}`),
  /** The host every new connection of POST /host-connections is made with, and its fresh guests. */
  postHost: uuidOf('bench-post-host'),
  postGuest: (i: number) => ({
    ...requester(`post-guest-${i}`),
    invitationToken: `bench_invitation_${md5(`bench-invitation-${i}`)}`,
  }),
};

const GUEST = `md5('bench-guest-' || i)::uuid`; // the small list's guests are the first of the large one's
const AGO = (seconds: string) => `now() - (${seconds}) * interval '1 second'`;

/** The load, run statement by statement (`;` at a line's end): the connections last, with every trigger on. */
const script = ({ largeList = 0, smallList = 0, postGuests = 0 }: Sizes): string => `
set session_replication_role = replica;
-- Organization bench-<n>, its e-mails and, for the requesters, its API client.
insert into organizations (id, name, email, owner_email, created_at)
  select md5('bench-' || n)::uuid, l, n || '@bench.example', 'owner-' || n || '@bench.example', now() from (
    select n, 'Bench ' || n as l from unnest(array['lister', 'large-host', 'small-host', 'parent', 'post-host']) n
    union all select 'lister-host-' || i, 'lister-host-' || i from generate_series(1, 25) i
    union all select 'post-guest-' || i, 'post-guest-' || i from generate_series(1, ${postGuests}) i
  ) s order by 1;
insert into api_clients (client_id, organization_id, secret_hash)
  select 'bench-client-' || n, md5('bench-' || n)::uuid, 'bench: nobody presents this secret' from (
    select unnest(array['lister', 'large-host', 'small-host']) n
    union all select 'post-guest-' || i from generate_series(1, ${postGuests}) i
  ) s;
insert into invitations (host_organization_id, email, invitation_token, expired_at)
  select md5('bench-post-host')::uuid, 'post-guest-' || i || '@bench.example',
    'bench_invitation_' || md5('bench-invitation-' || i), now() + interval '1 day'
  from generate_series(1, ${postGuests}) i;
-- The lists' guests: names and e-mails with random-looking parts, so a substring search matches a
-- steady share of them (about 0.15% for three hex digits).
insert into organizations (id, name, email, owner_email, created_at)
  select ${GUEST}, 'Guest ' || substr(md5('name-' || i), 1, 8), 'guest-' || substr(md5('email-' || i), 1, 10) || '@bench.example',
    'owner-' || substr(md5('owner-' || i), 1, 10) || '@bench.example', ${AGO('i % 31536000')}
  from generate_series(1, ${Math.max(largeList, smallList)}) i order by 1;
set session_replication_role = origin;
insert into connections (host_organization_id, guest_organization_id, status)
  select md5('bench-lister-host-' || i)::uuid, md5('bench-lister')::uuid, 'connected' from generate_series(1, 25) i;
-- The lists' connections: 5% disconnected, 10% archived by the host, 20% without a score, 6% with
-- an active action, 2% with a parent; dates spread over a year.
insert into connections (host_organization_id, guest_organization_id, status, parent_organization_id, host_archived,
    host_archived_at, total_score, score_updated_at, active_action_type, active_action_updated_at, created_at, updated_at)
  select h.id, ${GUEST}, case when i % 20 = 0 then 'disconnected' else 'connected' end,
    case when i % 50 = 0 then md5('bench-parent')::uuid end,
    i % 10 = 0, case when i % 10 = 0 then ${AGO('i % 86400')} end,
    case when i % 5 <> 0 then ((i * 37) % 1000) / 10.0 end,
    case when i % 5 <> 0 then ${AGO('(i * 13) % 2592000')} end,
    case when i % 17 = 0 then 'documents_update_request' end,
    case when i % 17 = 0 then ${AGO('(i * 7) % 604800')} end,
    ${AGO('(i * 7919) % 31536000 + 86400')},
    ${AGO('(i * 7919) % 31536000 + 86400')} + ((i * 104729) % 86400) * interval '1 second'
  from (values (md5('bench-large-host')::uuid, ${largeList}), (md5('bench-small-host')::uuid, ${smallList})) h(id, n),
    generate_series(1::bigint, h.n) i
  order by 1, 2`;

const TABLES = ['organizations', 'api_clients', 'invitations', 'connections', 'connection_counts'];

/**
 * Migrates and loads a database through the server's own store, on one connection (the load sets
 * session options); returns the seconds of the load itself. Foreign-key triggers are off for the
 * session (the data is consistent by construction), and the indexes that back no constraint are
 * dropped first and built again from their own definitions. Connections are inserted with every
 * trigger on, so the store's own triggers fill their copies of the organizations' names and
 * e-mails and the lists' counts (migrations 0007, 0008): 36 s for a million, against 11 s with the
 * triggers off and the copies joined by hand.
 */
async function load(options: { databaseUrl?: string; dataDir: string }, sizes: Sizes): Promise<number> {
  // Building an index over a million rows takes longer than the timeouts made for requests.
  const store = await openDatabase({ ...options, statementTimeoutMs: 600_000, acquireTimeoutMs: 600_000 });
  try {
    await migrateToLatest(store.db);
    const started = performance.now();
    await store.db.connection().execute(async (c) => {
      const execute = async (sql: string) => c.executeQuery(CompiledQuery.raw(sql));
      await execute(`set maintenance_work_mem = '256MB'`);
      const { rows } = await execute(
        `select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition from pg_index i
         where i.indrelid = any (array[${TABLES.map((t) => `'${t}'::regclass`).join(', ')}])
           and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`,
      );
      const indexes = rows as { name: string; definition: string }[];
      for (const { name } of indexes) await execute(`drop index ${name}`);
      for (const statement of script(sizes).split(';\n')) await execute(statement);
      for (const { definition } of indexes) await execute(definition);
      for (const table of TABLES) await execute(`vacuum analyze ${table}`);
    });
    return (performance.now() - started) / 1000;
  } finally {
    await store.close();
  }
}

/** A scratch database, loaded; `serverUrl` names any database of the server, used to create, watch and drop it. */
export async function postgresDatabase(serverUrl: string, sizes: Sizes) {
  const name = `connections_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  registerCleanup(() => admin.query(`drop database if exists ${name} with (force)`).finally(() => admin.end()));
  await admin.query(`create database ${name}`);
  const url = Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString();
  const loadSeconds = await load({ databaseUrl: url, dataDir: '' }, sizes);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  registerCleanup(() => client.end());
  /** The backends connected to it now: the PostgreSQL side of the target under load. */
  const backends = 'select pid from pg_stat_activity where datname = $1';
  const backendPids = async () => (await admin.query<{ pid: number }>(backends, [name])).rows.map((r) => r.pid);
  return { url, loadSeconds, client, backendPids };
}
export type PostgresDatabase = Awaited<ReturnType<typeof postgresDatabase>>;

/** One loaded PGlite data directory, copied: one per process that opens it. */
export async function pgliteDirectories(copies: number, sizes: Sizes): Promise<string[]> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'connections-bench-'));
  registerCleanup(() => rm(root, { recursive: true, force: true }));
  const directories = Array.from({ length: Math.max(1, copies) }, (_, i) => path.join(root, `pglite-${i}`));
  await load({ dataDir: directories[0] ?? '' }, sizes);
  for (const copy of directories.slice(1)) await cp(directories[0] ?? '', copy, { recursive: true });
  return directories;
}

const SEARCHED = { guest_name: 'g.name', guest_email: 'g.email', owner_email: 'g.owner_email' };

/** What `total_items` must be for a list shape of one host: counted here the slow way (strpos on lower(), not ILIKE). */
export async function expectedTotal(database: PostgresDatabase, host: string, shape: ListShape): Promise<number> {
  const query = listQuery(shape);
  const { rows } = await database.client.query<{ total: string }>(
    `select count(*) as total from connections c join organizations g on g.id = c.guest_organization_id
     where c.host_organization_id = $1 and c.status = any($2) and ($3::boolean is null or c.host_archived = $3)
       and ($4::text is null or strpos(lower(${SEARCHED[query.search_field ?? 'guest_name']}), lower($4)) > 0)`,
    [host, query.statuses, query.archived ?? null, query.search_text ?? null],
  );
  return Number(rows[0]?.total);
}
