// The embedded PGlite: one process holds its data directory (data-dir-lock.ts), or it lives in memory.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { createActiveClients, lookupInDatabase, REVOCATION_CHANNEL } from './active-clients.js';
import { acquireLock, releaseLock } from './data-dir-lock.js';
import { pgliteOptions } from './engine-values.js';
import { PGliteDialect } from './pglite-dialect.js';
import { createFromTemplate } from './pglite-template.js';
import type { Database } from './schema.js';
import { ping, type PoolStats, type Store } from './store.js';

export async function openEmbedded(dataDir: string): Promise<Store> {
  await mkdir(dataDir, { recursive: true });
  const lockFile = path.join(dataDir, '.lock');
  await acquireLock(lockFile, dataDir);
  try {
    // A subfolder, so the lock and the JWT secret file never mix with Postgres' own files.
    const pgdata = path.resolve(dataDir, 'pgdata');
    const options = { ...pgliteOptions, dataDir: pgdata };
    // A first start copies the prepared template instead of running initdb.
    const pglite = existsSync(path.join(pgdata, 'PG_VERSION'))
      ? await PGlite.create(options)
      : await createFromTemplate(options);
    return await pgliteStore(pglite, () => releaseLock(lockFile));
  } catch (error) {
    await releaseLock(lockFile);
    throw error;
  }
}

export async function pgliteStore(pglite: PGlite, releaseLock: () => Promise<void>): Promise<Store> {
  const dialect = new PGliteDialect(pglite);
  const db = new Kysely<Database>({ dialect });
  const activeClients = createActiveClients(lookupInDatabase(db));
  // One process holds the embedded database, so its notifications reach it without fail.
  await pglite.listen(REVOCATION_CHANNEL, (clientId) => activeClients.revoked(clientId));
  activeClients.listening(true);
  const close = async (): Promise<void> => {
    try {
      await db.destroy();
    } finally {
      await releaseLock();
    }
  };
  const poolStats = (): PoolStats => {
    const { busy, waiting } = dialect.connectionUse();
    return { total: 1, idle: busy ? 0 : 1, waiting };
  };
  // In process: a NOTIFY of this connection reaches its own listeners at commit.
  const listen = async (channel: string, handler: () => void) => {
    const unlisten = await pglite.listen(channel, () => handler());
    return () => unlisten();
  };
  return { db, kind: 'pglite', activeClients, listen, close, ping: () => ping(db), poolStats };
}
