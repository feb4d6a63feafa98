// Fewer indexes for every write to pay (issue 16): a nullable key's second index, `key desc
// nulls last, counterpart desc` (migration 0007), goes. A descending list of such a key reads
// its ascending index backwards in two parts, the key's values and then its nulls
// (server/store/connection-lists.ts): each part is a backward range per status and flag, so
// the lists keep plans as good, and every write of a connection updates 23 indexes, not 29.
import { sql, type Kysely, type Migration } from 'kysely';

/** Each lister's nullable keys (migration 0007's listKeys). */
const nullableKeys = {
  host: ['host_archived_at', 'active_action_updated_at', 'total_score', 'score_updated_at'],
  guest: ['guest_archived_at', 'active_action_updated_at'],
};

export const fewerListIndexes: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const [lister, keys] of Object.entries(nullableKeys))
      for (const key of keys) await sql.raw(`drop index connections_${lister}_list_${key}_desc_idx`).execute(db);
  },
};
