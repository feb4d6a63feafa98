// `npm start`: configuration from the environment, the database migrated, the API served.
// With the embedded database and nothing in it, a demo is seeded and a walkthrough printed.
// A start that fails for a reason the operator fixes prints one line naming the setting, and
// exits 1.
import { loadConfig } from './config.js';
import { exitOnStartFailure, serveApi } from './serve.js';

async function main(): Promise<void> {
  const config = await loadConfig();
  const embedded = config.databaseUrl === undefined;
  await serveApi(config, {
    // Loaded once the port listens: the drivers are most of what a start loads.
    openStore: async () => (await import('./store/database.js')).openDatabase(config),
    seedDemo: embedded,
    describeDatabase: embedded ? `embedded database in ${config.dataDir}` : 'PostgreSQL',
  });
}

main().catch(exitOnStartFailure);
