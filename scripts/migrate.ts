// `npm run migrate`: brings the database named by DATABASE_URL / DATA_DIR to the latest schema.
// The server migrates on start too; this is for deploys that migrate as a separate step.
import { loadDatabaseConfig, type DatabaseConfig } from '../server/config.js';
import { databaseProblem } from '../server/startup-errors.js';
import { openDatabase, type Store } from '../server/store/database.js';
import { migrateToLatest } from '../server/store/migrate.js';

async function main(config: DatabaseConfig): Promise<void> {
  let store: Store | undefined;
  try {
    store = await openDatabase(config);
    const applied = await migrateToLatest(store.db);
    const where = store.kind === 'postgres' ? 'PostgreSQL' : 'the embedded database';
    console.log(applied.length === 0 ? `${where} is up to date` : `applied to ${where}: ${applied.join(', ')}`);
  } catch (error) {
    console.error(`migrate: ${databaseProblem(error, config)}`);
    process.exitCode = 1;
  } finally {
    await store?.close();
  }
}

try {
  await main(loadDatabaseConfig());
} catch (error) {
  console.error(`migrate: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
