// The migrations write the contract's enums and lengths into check constraints, as SQL of their
// own (a migration is history: it must not change when the contract does). Here each one is
// read back from the database and compared with the contract's schema it stands for.
import { sql, type Kysely } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { operations, schemas } from '../../generated/operations.js';
import type { Database } from '../../server/store/schema.js';
import { engines, openTestStore } from '../support/database.js';

type Schema = { enum?: readonly string[]; minLength?: number; maxLength?: number };

const idempotencyKey = operations.createHostConnection.parameters.find((p) => p.name === 'Idempotency-Key')?.schema;

const enums: [table: string, column: string, schema: Schema][] = [
  ['invitations', 'status', schemas.InvitationStatus],
  ['connections', 'status', schemas.ConnectionStatus],
  ['connections', 'active_action_type', schemas.ActionType],
  ['connection_actions', 'action_type', schemas.ActionType],
  ['connection_actions', 'status', schemas.ActionStatus],
];

const lengths: [table: string, column: string, schema: Schema | undefined][] = [
  ['organizations', 'name', schemas.Organization.properties.name],
  ['organizations', 'email', schemas.Email],
  ['organizations', 'owner_email', schemas.Email],
  ['api_clients', 'client_id', schemas.ClientId],
  ['invitations', 'email', schemas.Email],
  ['invitations', 'invitation_token', schemas.InvitationToken],
  ['idempotency_keys', 'key', idempotencyKey],
];

describe.each(engines)('check constraints against the contract (%s)', (engine) => {
  let checks: { table: string; definition: string }[];

  beforeAll(async () => {
    const db: Kysely<Database> = (await openTestStore(engine)).db;
    const { rows } = await sql<{ table: string; definition: string }>`
      select conrelid::regclass::text as "table", pg_get_constraintdef(oid) as definition
      from pg_constraint where contype = 'c' and connamespace = current_schema()::regnamespace`.execute(db);
    checks = rows;
  });

  /** The one check constraint of `table` that names `column`, not as a part of a longer name. */
  const checkOf = (table: string, column: string): string => {
    const named = new RegExp(`(^|[^\\w])${column}([^\\w]|$)`);
    const found = checks.filter(
      (c) => c.table.replace(/^.*\./, '').replaceAll('"', '') === table && named.test(c.definition),
    );
    expect(
      found.map((c) => c.definition),
      `${table}.${column}`,
    ).toHaveLength(1);
    return found[0]?.definition ?? '';
  };

  it.each(enums)('%s.%s holds the enum of the contract', (table, column, schema) => {
    const values = [...checkOf(table, column).matchAll(/'([^']*)'::text/g)].map((m) => m[1]);
    expect(values.sort()).toEqual([...(schema.enum ?? [])].sort());
  });

  it.each(lengths)('%s.%s holds the length bounds of the contract', (table, column, schema) => {
    const bounds = /char_length\([^)]*\) >= (\d+)\) AND \(char_length\([^)]*\) <= (\d+)/.exec(checkOf(table, column));
    expect(bounds?.slice(1).map(Number)).toEqual([schema?.minLength, schema?.maxLength]);
  });
});
