// Fewer indexes on `connections` (issue #16): every write pays for each of them. The three
// trigram indexes of each lister's copies become one: a GIN index with several columns keeps
// each column's entries apart and serves a condition on any of them (with the lister's id), so
// `(lister, name, email, owner_email)` finds a search on any one copy as the three did, with
// the lister's id stored once per row instead of three times. 29 indexes become 25.
//
// What each index of `connections` is for, after this migration:
// - `connections_pkey (host, guest)`: one connection by its pair (GET, PATCH, POST's check),
//   and the foreign key from connection_actions.
// - `connections_<lister>_list_<key>_idx (lister, status, lister's archived flag, key, other
//   party)` (migration 0007), one per order of each list: a range of it, status and flag fixed,
//   is already in list order, ascending, and read backwards, descending; for the other party's
//   name and e-mails the key is the lower-cased copy and the copy itself is included, so that a
//   deep page is read from the index alone. The host's: guest_name, guest_email,
//   guest_owner_email, created_at, updated_at, host_archived_at, active_action_updated_at,
//   total_score, score_updated_at; the guest's: host_name, host_email, host_owner_email,
//   created_at, updated_at, guest_archived_at, active_action_updated_at. Their leading columns
//   also serve every other read by lister (and the foreign keys to organizations).
// - `connections_<lister>_list_<key>_desc_idx (…, key desc nulls last, other party desc)`, one
//   per nullable key (the two archive dates, active_action_updated_at, total_score,
//   score_updated_at): nulls come last in both directions, which reading the ascending index
//   backwards cannot give (it puts them first).
// - `connections_<lister>_list_trgm_idx` (below): `ilike '%text%'` on a copy, among the
//   lister's connections only.
import { sql, type Kysely, type Migration } from 'kysely';

const lists = [
  { lister: 'host', copies: ['guest_name', 'guest_email', 'guest_owner_email'] },
  { lister: 'guest', copies: ['host_name', 'host_email', 'host_owner_email'] },
];

const statements = lists.flatMap(({ lister, copies }) => [
  `create index connections_${lister}_list_trgm_idx on connections using gin (${lister}_organization_id, ${copies.map((copy) => `${copy} gin_trgm_ops`).join(', ')})`,
  ...copies.map((copy) => `drop index connections_${lister}_list_${copy}_trgm_idx`),
]);

export const fewerConnectionIndexes: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const statement of statements) await sql.raw(statement).execute(db);
  },
};
