// The operator's command: `npm run admin -- <command> [options]`.
// stdout carries exactly one JSON line, the result, so scripts can parse it; everything else
// goes to stderr. Exit codes: 0 done, 1 failed, 2 wrong usage.
import { parseArgs } from 'node:util';
import { ConfigError, loadDatabaseConfig, loadSecretHashCost } from '../server/config.js';
import { setSecretHashCost } from '../server/domain/credentials.js';
import {
  AdminInputError,
  createClient,
  createOrganization,
  revokeClient,
  validateOrganizationInput,
} from '../server/domain/admin.js';
import { DatabaseLockedError, openDatabase, type Store } from '../server/store/database.js';
import { migrateToLatest } from '../server/store/migrate.js';

const usage = `usage:
  admin create-organization --name NAME --email EMAIL --owner-email EMAIL
  admin create-client --organization-id ID
  admin revoke-client --client-id ID`;

class UsageError extends Error {}

type Command = (store: Store) => Promise<object>;

function parseCommand(argv: string[]): Command {
  const [name, ...args] = argv;
  const option = { type: 'string' } as const;
  switch (name) {
    case 'create-organization': {
      const { values } = parseArgs({ args, options: { name: option, email: option, 'owner-email': option } });
      const input = {
        name: required(values.name, '--name'),
        email: required(values.email, '--email'),
        owner_email: required(values['owner-email'], '--owner-email'),
      };
      validateOrganizationInput(input); // before the database is opened: bad input touches nothing
      return (store) => createOrganization(store.db, input);
    }
    case 'create-client': {
      const { values } = parseArgs({ args, options: { 'organization-id': option } });
      const organizationId = required(values['organization-id'], '--organization-id');
      return (store) => createClient(store.db, organizationId);
    }
    case 'revoke-client': {
      const { values } = parseArgs({ args, options: { 'client-id': option } });
      const clientId = required(values['client-id'], '--client-id');
      return (store) => revokeClient(store.db, clientId);
    }
    default:
      throw new UsageError(name === undefined ? 'no command given' : `unknown command "${name}"`);
  }
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined) throw new UsageError(`${flag} is required`);
  return value;
}

async function main(argv: string[]): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    // parseArgs throws TypeErrors with a code for unknown or malformed options.
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error)) {
      console.error(`admin: ${error.message}\n${usage}`);
      return 2;
    }
    if (error instanceof AdminInputError) {
      console.error(`admin: ${error.message}`);
      return 1;
    }
    throw error;
  }

  let store: Store;
  try {
    setSecretHashCost(loadSecretHashCost());
    store = await openDatabase(loadDatabaseConfig());
  } catch (error) {
    if (error instanceof DatabaseLockedError || error instanceof ConfigError) {
      console.error(`admin: ${error.message}`);
      return 1;
    }
    throw error;
  }
  try {
    const applied = await migrateToLatest(store.db);
    if (applied.length > 0) console.error(`admin: applied migrations ${applied.join(', ')}`);
    const result = await command(store);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof AdminInputError) {
      console.error(`admin: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`admin: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
