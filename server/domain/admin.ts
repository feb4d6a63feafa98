// What an operator does with the admin command: organizations and their API clients.
// There is no public endpoint for these in v1.
import type { Kysely } from 'kysely';
import { schemas } from '../../generated/operations.js';
import { findClient, insertClient, revokeClient as revokeStoredClient } from '../store/clients.js';
import { findOrganization, insertOrganization, isUuid } from '../store/organizations.js';
import type { Store } from '../store/database.js';
import type { Database } from '../store/schema.js';
import { hashSecret, newClientId, newClientSecret } from './credentials.js';

/** Input the operator can fix; the message says what is wrong. */
export class AdminInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdminInputError';
  }
}

export type NewCredentials = { organization_id: string; client_id: string; client_secret: string };

export type OrganizationInput = { name: string; email: string; owner_email: string };

/** Throws an AdminInputError naming every problem at once. */
export function validateOrganizationInput(input: OrganizationInput): void {
  const problems = [
    lengthProblem('name', input.name, schemas.Organization.properties.name),
    emailProblem('email', input.email),
    emailProblem('owner_email', input.owner_email),
  ].filter((problem) => problem !== undefined);
  if (problems.length > 0) throw new AdminInputError(problems.join('; '));
}

/** The organization and its first API client, in one transaction: both or neither. */
export async function createOrganization(db: Kysely<Database>, input: OrganizationInput): Promise<NewCredentials> {
  validateOrganizationInput(input);

  // Hash before the transaction: scrypt is slow, and PGlite's one connection is held throughout.
  const credentials = await newCredentials();
  return db.transaction().execute(async (trx) => {
    const organization = await insertOrganization(trx, {
      name: input.name,
      email: input.email,
      owner_email: input.owner_email,
    });
    await insertClient(trx, { ...credentials.stored, organization_id: organization.id });
    return { organization_id: organization.id, ...credentials.shown };
  });
}

/** Another API client for an existing organization, e.g. to rotate a secret. */
export async function createClient(db: Kysely<Database>, organization_id: string): Promise<NewCredentials> {
  if (!isUuid(organization_id)) throw new AdminInputError(`organization id must be a uuid, not "${organization_id}"`);
  if ((await findOrganization(db, organization_id)) === undefined) {
    throw new AdminInputError(`there is no organization ${organization_id}`);
  }
  const credentials = await newCredentials();
  await insertClient(db, { ...credentials.stored, organization_id });
  return { organization_id, ...credentials.shown };
}

/**
 * Revokes the client; its tokens stop working: at once in this process, and in every other one
 * sharing the database as soon as the database's notification reaches it. Revoking a revoked
 * client again is not an error.
 */
export async function revokeClient(store: Store, client_id: string): Promise<{ client_id: string; revoked: true }> {
  if (!(await revokeStoredClient(store.db, client_id)) && (await findClient(store.db, client_id)) === undefined) {
    throw new AdminInputError(`there is no client ${client_id}`);
  }
  store.activeClients.revoked(client_id);
  return { client_id, revoked: true };
}

async function newCredentials(): Promise<{
  shown: { client_id: string; client_secret: string };
  stored: { client_id: string; secret_hash: string };
}> {
  const client_id = newClientId();
  const client_secret = newClientSecret();
  return { shown: { client_id, client_secret }, stored: { client_id, secret_hash: await hashSecret(client_secret) } };
}

// The bounds are the contract's (Organization.name, Email), which the API's responses must meet.
// Counted in code points, as Postgres' char_length and JSON Schema's maxLength count.
function lengthProblem(
  field: string,
  value: string,
  bounds: { minLength: number; maxLength: number },
): string | undefined {
  const length = [...value].length;
  const { minLength: min, maxLength: max } = bounds;
  return length < min || length > max ? `${field} must be ${min}–${max} characters long` : undefined;
}

function emailProblem(field: string, value: string): string | undefined {
  const problem = lengthProblem(field, value, schemas.Email);
  if (problem !== undefined) return problem;
  return value.includes('@') ? undefined : `${field} must be an e-mail address (it has no '@')`;
}
