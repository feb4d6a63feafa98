// `npm run worker`: the webhook dispatcher alone, for deployments whose API processes run with
// WEBHOOK_DISPATCH=off. A database that is away at start or later is waited for, never fatal
// once started: the dispatcher retries on its next round. SIGTERM or SIGINT: finish the
// attempts in flight, close the database, exit 0.
import { loadConfig } from './config.js';
import { stdoutLogger } from './http/logging.js';
import { exitOnStartFailure } from './serve.js';
import { openDatabase } from './store/database.js';
import { migrateToLatest } from './store/migrate.js';
import { startDispatcher } from './webhooks/run.js';

async function main(): Promise<void> {
  const config = await loadConfig();
  const store = await openDatabase(config);
  await migrateToLatest(store.db);
  const dispatcher = await startDispatcher(store, config.webhooks, stdoutLogger);
  const stop = (signal: NodeJS.Signals): void => {
    console.error(`connections-api worker: ${signal}, finishing attempts in flight`);
    void dispatcher
      .stop()
      .then(() => store.close())
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  console.log('connections-api worker sending webhooks');
}

main().catch(exitOnStartFailure);
