import { openDatabase } from './server/store/database.ts';
import { migrateToLatest } from './server/store/migrate.ts';
const store = await openDatabase({ databaseUrl: process.argv[2], dataDir: '', statementTimeoutMs: 600000 });
console.log(await migrateToLatest(store.db));
await store.close();
