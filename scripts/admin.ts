// The operator's command: `npm run admin -- <command> [options]`.
// stdout carries exactly one JSON line, the result, so scripts can parse it (`demo`: the
// walkthrough, a bash script); everything else goes to stderr. Exit codes: 0 done, 1 failed,
// 2 wrong usage.
import { parseArgs } from 'node:util';
import {
  ConfigError,
  displayUrl,
  loadAddress,
  loadDatabaseConfig,
  loadSecretHashCost,
  type DatabaseConfig,
} from '../server/config.js';
import { formatWalkthrough, reissueDemo } from '../server/demo.js';
import { setSecretHashCost } from '../server/domain/credentials.js';
import {
  AdminInputError,
  createClient,
  createOrganization,
  revokeClient,
  validateOrganizationInput,
} from '../server/domain/admin.js';
import { databaseProblem } from '../server/startup-errors.js';
import { openDatabase, type Store } from '../server/store/database.js';
import { migrateToLatest } from '../server/store/migrate.js';

const usage = `usage:
  admin create-organization --name NAME --email EMAIL --owner-email EMAIL
  admin create-client --organization-id ID
  admin revoke-client --client-id ID
  admin demo              new secrets for the demo clients, and the walkthrough again`;

class UsageError extends Error {}

/** What the command prints on stdout. */
type Command = (store: Store) => Promise<string>;

const json = (result: Promise<object>): Promise<string> => result.then((value) => JSON.stringify(value));

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
      return (store) => json(createOrganization(store.db, input));
    }
    case 'create-client': {
      const { values } = parseArgs({ args, options: { 'organization-id': option } });
      const organizationId = required(values['organization-id'], '--organization-id');
      return (store) => json(createClient(store.db, organizationId));
    }
    case 'revoke-client': {
      const { values } = parseArgs({ args, options: { 'client-id': option } });
      const clientId = required(values['client-id'], '--client-id');
      return (store) => json(revokeClient(store, clientId));
    }
    case 'demo': {
      parseArgs({ args, options: {} });
      // The walkthrough points where `npm start` listens with the same HOST and PORT.
      const { host, port } = loadAddress();
      return async (store) => formatWalkthrough(await reissueDemo(store), displayUrl(host, port));
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

  let config: DatabaseConfig;
  let store: Store | undefined;
  try {
    setSecretHashCost(loadSecretHashCost());
    config = loadDatabaseConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`admin: ${error.message}`);
    return 1;
  }
  try {
    store = await openDatabase(config);
    const applied = await migrateToLatest(store.db);
    if (applied.length > 0) console.error(`admin: applied migrations ${applied.join(', ')}`);
  } catch (error) {
    await store?.close().catch(() => {});
    console.error(`admin: ${databaseProblem(error, config)}`);
    return 1;
  }
  try {
    process.stdout.write(`${await command(store)}\n`);
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
