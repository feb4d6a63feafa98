// `npm run sandbox`: the real server on a PGlite database in memory, seeded with the demo and
// printing its walkthrough. For trying the API, or pointing a frontend at it, without a data
// folder: nothing touches the disk and nothing is kept after it exits. HOST, PORT,
// TOKEN_TTL_SECONDS and CORS_ORIGINS apply as for `npm start`; DATABASE_URL and DATA_DIR do not.
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../server/config.js';
import { exitOnStartFailure, serveApi } from '../server/serve.js';
import { openMemoryDatabase } from '../server/store/database.js';

async function main(): Promise<void> {
  // A key of its own: tokens live no longer than the process, like the data.
  const config = await loadConfig({
    ...process.env,
    DATABASE_URL: undefined,
    JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(32).toString('hex'),
  });
  await serveApi(config, {
    openStore: openMemoryDatabase,
    seedDemo: true,
    describeDatabase: 'sandbox: in-memory database, nothing is kept',
  });
}

main().catch(exitOnStartFailure);
