// A replay must be the first response byte for byte, but jsonb keeps neither key order nor
// spacing: it gave back `{"status": …, "archived": …}` for `{"host_organization_id": …}`. What
// is stored becomes the exact JSON text of the operation's result (rows stored before keep
// jsonb's text of theirs, which is all that is left of their bytes). Status and headers are not
// stored: the HTTP layer derives both from the result, the same way every time.
import { sql, type Kysely, type Migration } from 'kysely';

const statements = [
  `alter table idempotency_keys rename column response_body to result`,
  `alter table idempotency_keys alter column result type text using result::text`,
  `alter table idempotency_keys drop column response_status`,
  `alter table idempotency_keys drop column response_headers`,
];

export const exactIdempotentResponses: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const statement of statements) {
      await sql.raw(statement).execute(db);
    }
  },
};
