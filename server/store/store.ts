import { sql, type Kysely } from 'kysely';
import type { ActiveClients } from './active-clients.js';
import type { Database } from './schema.js';

export type Store = {
  db: Kysely<Database>;
  kind: 'postgres' | 'pglite';
  /** Which API clients are active, kept in step with revocations by the database's notifications. */
  activeClients: ActiveClients;
  /** Calls `handler` on every notification on `channel`, from any process; returns how to stop. */
  listen(channel: string, handler: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
  ping(): Promise<void>;
  /** Connection use right now, for metrics. */
  poolStats(): PoolStats;
};

/** pg: connections open, idle, and queries waiting for one. PGlite: its one connection, and the callers queued behind it. */
export type PoolStats = { total: number; idle: number; waiting: number };

export async function ping(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
