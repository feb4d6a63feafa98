// The API as a process, for `npm start` and `npm run sandbox`. HOST:PORT is bound first, so a
// port in use or a bad HOST fails before the database is touched or a demo is seeded (a demo
// seeded by a start that then failed would never be printed), and so the port listens before
// the app's and the database's code is even loaded (about half of a start). Requests that
// arrive meanwhile wait for the app. SIGTERM or SIGINT: stop accepting, finish what is in flight,
// close the database, exit 0.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { contract } from '../generated/operations.js';
import type { App } from './app.js';
import { ConfigError, displayUrl, type Config } from './config.js';
import { setSecretHashCost } from './domain/credentials.js';
import { stdoutLogger } from './http/logging.js';
import { createNodeServer } from './http/node-server.js';
import { databaseProblem, listenProblem } from './startup-errors.js';
import type { Store } from './store/database.js';

/** A start that failed for a reason the operator fixes; the message is the one line to print. */
class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

/** For a start's `.catch`: one line and exit 1; a stack trace only for what is a bug. */
export function exitOnStartFailure(error: unknown): never {
  const expected = error instanceof ConfigError || error instanceof StartupError;
  console.error(
    `connections-api: ${expected ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exit(1);
}

export type ServeOptions = {
  openStore(): Promise<Store>;
  /** Seed the demo into an empty database and print its walkthrough. */
  seedDemo: boolean;
  /** How the listening line names the database, e.g. `embedded database in ./.data`. */
  describeDatabase: string;
};

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const refused = (error: NodeJS.ErrnoException) => reject(new StartupError(listenProblem(error, host, port)));
    server.once('error', refused);
    server.listen(port, host, () => {
      server.off('error', refused);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function serveApi(config: Config, options: ServeOptions): Promise<void> {
  setSecretHashCost(config.secretHashCost);
  let ready: (app: App) => void = () => {};
  const appReady = new Promise<App>((resolve) => (ready = resolve));
  const server = createNodeServer(async (request) => (await appReady).fetch(request), config.http);
  const port = await listen(server, config.host, config.port);
  const opening = options.openStore();
  opening.catch(() => {}); // awaited below, once the modules are loaded
  const [{ createApp }, { formatWalkthrough, seedDemo }, { createRateLimits }, { migrateToLatest }, webhooks] =
    await Promise.all([
      import('./app.js'),
      import('./demo.js'),
      import('./http/rate-limits.js'),
      import('./store/migrate.js'),
      import('./webhooks/run.js'),
    ]);

  let store: Store | undefined;
  try {
    store = await opening;
    await migrateToLatest(store.db);
  } catch (error) {
    server.close();
    await store?.close().catch(() => {});
    throw new StartupError(databaseProblem(error, config));
  }
  const opened = store;
  const abandon = async (error: unknown): Promise<never> => {
    server.close();
    await opened.close();
    throw error;
  };
  const demo = options.seedDemo ? await seedDemo(opened).catch(abandon) : null;
  const rateLimits = createRateLimits({ ...config.rateLimits, log: stdoutLogger });
  // WEBHOOK_DISPATCH=off leaves sending to other processes (`npm run worker`).
  const dispatcher = config.webhooks.dispatch
    ? await webhooks.startDispatcher(opened, config.webhooks, stdoutLogger).catch(abandon)
    : undefined;
  const release = async () => {
    await dispatcher?.stop();
    await Promise.all([opened.close(), rateLimits.close()]);
  };
  const { jwtSecret, tokenTtlSeconds, corsOrigins, metricsToken } = config;
  const webhookPolicy = webhooks.webhookPolicyOf(config.webhooks);
  ready(createApp({ store: opened, jwtSecret, tokenTtlSeconds, corsOrigins, metricsToken, rateLimits, webhookPolicy }));

  server.on('error', (error: Error) => {
    console.error(`connections-api: ${error.message}`);
    void release().finally(() => process.exit(1));
  });
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      console.error(`connections-api: ${signal} again, exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    console.error(`connections-api: ${signal}, finishing requests in flight`);
    // close() stops accepting and waits for open requests; idle keep-alive connections are
    // closed now, busy ones once their response is sent.
    server.close((error) => {
      void release().finally(() => process.exit(error ? 1 : 0));
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  // Printed once the handlers are in place: whoever waits for this line may signal at once.
  const url = displayUrl(config.host, port);
  if (demo) console.log(formatWalkthrough(demo, url));
  console.log(`connections-api listening on ${url} (API at ${url}${contract.basePath}, ${options.describeDatabase})`);
}
