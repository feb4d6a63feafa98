// The admin command's logic, apart from its process: scripts/admin.ts runs it on the process's
// argv, environment and streams; tests run it in their own process too, where a child process
// would only add Node's and tsx's start-up. Modules are imported once the command is known, so
// wrong usage answers without loading the database engines.
import { parseArgs } from 'node:util';
import type { DatabaseConfig } from '../../server/config.js';
import type { Store } from '../../server/store/database.js';

const usage = `usage:
  admin create-organization --name NAME --email EMAIL --owner-email EMAIL
  admin create-client --organization-id ID
  admin revoke-client --client-id ID
  admin demo              new secrets for the demo clients, and the walkthrough again`;

/** Where the command reads its settings and writes: stdout gets the result, stderr everything else. */
export type AdminIo = {
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
};

class UsageError extends Error {}

/** What the command prints on stdout. */
type Command = (store: Store) => Promise<string>;

const json = (result: Promise<object>): Promise<string> => result.then((value) => JSON.stringify(value));

async function parseCommand(argv: string[], env: AdminIo['env']): Promise<Command> {
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
      const { createOrganization, validateOrganizationInput } = await import('../../server/domain/admin.js');
      validateOrganizationInput(input); // before the database is opened: bad input touches nothing
      return (store) => json(createOrganization(store.db, input));
    }
    case 'create-client': {
      const { values } = parseArgs({ args, options: { 'organization-id': option } });
      const organizationId = required(values['organization-id'], '--organization-id');
      const { createClient } = await import('../../server/domain/admin.js');
      return (store) => json(createClient(store.db, organizationId));
    }
    case 'revoke-client': {
      const { values } = parseArgs({ args, options: { 'client-id': option } });
      const clientId = required(values['client-id'], '--client-id');
      const { revokeClient } = await import('../../server/domain/admin.js');
      return (store) => json(revokeClient(store, clientId));
    }
    case 'demo': {
      parseArgs({ args, options: {} });
      const [{ displayUrl, loadAddress }, { formatWalkthrough, reissueDemo }] = await Promise.all([
        import('../../server/config.js'),
        import('../../server/demo.js'),
      ]);
      // The walkthrough points where `npm start` listens with the same HOST and PORT.
      const { host, port } = loadAddress(env);
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

/** Runs one command; resolves with its exit code: 0 done, 1 failed, 2 wrong usage. */
export async function runAdmin(argv: string[], io: AdminIo): Promise<number> {
  let command: Command;
  try {
    command = await parseCommand(argv, io.env);
  } catch (error) {
    // parseArgs throws TypeErrors with a code for unknown or malformed options.
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error)) {
      io.stderr(`admin: ${error.message}\n${usage}\n`);
      return 2;
    }
    return failed(error, io);
  }

  const [config, { databaseProblem }, { openDatabase }, { migrateToLatest }] = await Promise.all([
    import('../../server/config.js'),
    import('../../server/startup-errors.js'),
    import('../../server/store/database.js'),
    import('../../server/store/migrate.js'),
  ]);
  let database: DatabaseConfig;
  let store: Store | undefined;
  try {
    const { setSecretHashCost } = await import('../../server/domain/credentials.js');
    setSecretHashCost(config.loadSecretHashCost(io.env));
    database = config.loadDatabaseConfig(io.env);
  } catch (error) {
    if (!(error instanceof config.ConfigError)) throw error;
    io.stderr(`admin: ${error.message}\n`);
    return 1;
  }
  try {
    store = await openDatabase(database);
    const applied = await migrateToLatest(store.db);
    if (applied.length > 0) io.stderr(`admin: applied migrations ${applied.join(', ')}\n`);
  } catch (error) {
    await store?.close().catch(() => {});
    io.stderr(`admin: ${databaseProblem(error, database)}\n`);
    return 1;
  }
  try {
    io.stdout(`${await command(store)}\n`);
    return 0;
  } catch (error) {
    return failed(error, io);
  } finally {
    await store.close();
  }
}

/** Bad input (exit 1, one line); anything else is thrown on. */
async function failed(error: unknown, io: AdminIo): Promise<number> {
  const { AdminInputError } = await import('../../server/domain/admin.js');
  if (!(error instanceof AdminInputError)) throw error;
  io.stderr(`admin: ${error.message}\n`);
  return 1;
}
