import type { Kysely } from 'kysely';
import { schemas } from '../../generated/operations.js';
import type { Database, Organization } from './schema.js';

// The contract's own Uuid pattern, the one request validation uses too.
const UUID = new RegExp(schemas.Uuid.pattern);

/** Postgres rejects a malformed uuid with an error; callers treat it as "no such row" instead. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export async function insertOrganization(
  db: Kysely<Database>,
  values: { name: string; email: string; owner_email: string },
): Promise<Organization> {
  return db.insertInto('organizations').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function findOrganization(db: Kysely<Database>, id: string): Promise<Organization | undefined> {
  if (!isUuid(id)) return undefined;
  return db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Whether the database holds any organization (the demo is seeded only into an empty one). */
export async function hasOrganizations(db: Kysely<Database>): Promise<boolean> {
  return (await db.selectFrom('organizations').select('id').limit(1).executeTakeFirst()) !== undefined;
}

/** The oldest organization with exactly this name and e-mail, if any (how the demo finds its own). */
export async function findOrganizationByNameAndEmail(
  db: Kysely<Database>,
  name: string,
  email: string,
): Promise<Organization | undefined> {
  return db
    .selectFrom('organizations')
    .selectAll()
    .where('name', '=', name)
    .where('email', '=', email)
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
}
