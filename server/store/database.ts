// Opens the store: one database, PostgreSQL (postgres-store.ts) or the embedded PGlite
// (pglite-store.ts), behind one Kysely and the few things the server asks of either (store.ts).
export type { PoolStats, Store } from './store.js';
import { pgliteOptions } from './engine-values.js';
import { createFromTemplate, ensureTemplate } from './pglite-template.js';
import { openEmbedded, pgliteStore } from './pglite-store.js';
import { openPostgres } from './postgres-store.js';
import type { Store } from './store.js';
import { DEFAULT_ACQUIRE_TIMEOUT_MS, DEFAULT_STATEMENT_TIMEOUT_MS } from './timeouts.js';

export type DatabaseOptions = {
  /** PostgreSQL when set; otherwise the embedded PGlite in dataDir. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** pg Pool size; ignored by PGlite, which is one connection. Default 10. */
  poolSize?: number | undefined;
  /** PostgreSQL: a statement running longer is cancelled (server side, and client side for a silent network). Default 5000. */
  statementTimeoutMs?: number | undefined;
  /** PostgreSQL: waiting longer for a pooled connection (or to open one) fails. Default 3000. */
  acquireTimeoutMs?: number | undefined;
  /**
   * PostgreSQL: send the hot statements (server/store/prepared.ts) as named prepared statements.
   * Default true; off for a pooler that cannot keep them, such as PgBouncer before 1.21 in
   * transaction mode. PGlite always prepares them.
   */
  preparedStatements?: boolean | undefined;
};

export async function openDatabase(options: DatabaseOptions): Promise<Store> {
  if (options.databaseUrl !== undefined && options.databaseUrl !== '') {
    return openPostgres(options.databaseUrl, {
      max: options.poolSize ?? 10,
      statementTimeoutMs: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
      acquireTimeoutMs: options.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS,
      preparedStatements: options.preparedStatements ?? true,
    });
  }
  return openEmbedded(options.dataDir);
}

/** Makes the embedded database's template unless it exists (`npm ci`, `npm pack`); returns its path. */
export const ensurePgliteTemplate = (): Promise<string> => ensureTemplate(pgliteOptions);

/** A fresh PGlite in memory: nothing on disk, no lock. For tests and the sandbox. */
export async function openMemoryDatabase(): Promise<Store> {
  return pgliteStore(await createFromTemplate(pgliteOptions), async () => {});
}
