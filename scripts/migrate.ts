// `npm run migrate`: brings the database named by DATABASE_URL / DATA_DIR to the latest schema.
// The server migrates on start too; this is for deploys that migrate as a separate step.
import { loadDatabaseConfig } from '../server/config.js';
import { openDatabase } from '../server/store/database.js';
import { migrateToLatest } from '../server/store/migrate.js';

async function main(): Promise<void> {
  const store = await openDatabase(loadDatabaseConfig());
  try {
    const applied = await migrateToLatest(store.db);
    const where = store.kind === 'postgres' ? 'PostgreSQL' : 'the embedded database';
    console.log(applied.length === 0 ? `${where} is up to date` : `applied to ${where}: ${applied.join(', ')}`);
  } finally {
    await store.close();
  }
}

main().catch((error: unknown) => {
  console.error(`migrate: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
