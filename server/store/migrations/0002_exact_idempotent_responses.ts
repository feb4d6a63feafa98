// A replay must be the first response byte for byte, but jsonb keeps neither key order nor
// spacing: it gave back `{"status": …, "archived": …}` for `{"host_organization_id": …}`. The
// stored response becomes the exact text that was sent. Rows stored before keep jsonb's text of
// them, which is all that is left of their bytes.
import { sql, type Kysely, type Migration } from 'kysely';

const statements = [
  `alter table idempotency_keys alter column response_body type text using response_body::text`,
  `alter table idempotency_keys alter column response_headers type text using response_headers::text`,
];

export const exactIdempotentResponses: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const statement of statements) {
      await sql.raw(statement).execute(db);
    }
  },
};
