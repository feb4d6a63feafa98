// PostgreSQL: a pg pool, guarded and preparing the hot statements (kyselyPool), and a
// connection of its own listening for revocations (revocation-listener.ts).
import { Kysely, PostgresDialect, type PostgresPool } from 'kysely';
import pg from 'pg';
import { createActiveClients, lookupInDatabase } from './active-clients.js';
import { INT8, NUMERIC, parseNumber } from './engine-values.js';
import { isDatabaseUnavailable } from './errors.js';
import { preparedName } from './prepared.js';
import { listenFor, listenForRevocations } from './revocation-listener.js';
import type { Database } from './schema.js';
import { ping, type PoolStats, type Store } from './store.js';

export type PoolSettings = {
  max: number;
  statementTimeoutMs: number;
  acquireTimeoutMs: number;
  preparedStatements: boolean;
};

export function openPostgres(connectionString: string, settings: PoolSettings): Store {
  const types = new pg.TypeOverrides();
  types.setTypeParser(NUMERIC, parseNumber);
  types.setTypeParser(INT8, parseNumber);
  const pool = new pg.Pool({
    connectionString,
    max: settings.max,
    types,
    // A database that hangs must not hang every request: the server cancels a slow statement,
    // the client gives up on one whose answer never comes (a black-holed network), and waiting
    // for a connection is bounded too. Each surfaces as an error that answers 503.
    statement_timeout: settings.statementTimeoutMs,
    query_timeout: settings.statementTimeoutMs + 1000,
    connectionTimeoutMillis: settings.acquireTimeoutMs,
    keepAlive: true,
  });
  // A client that loses its server emits 'error'. pg-pool listens only while the client is
  // idle; a checked-out client without a listener of its own would take the process down
  // (failover, network reset, pgbouncer restart). The query in flight fails by itself, and the
  // client, no longer queryable, is dropped by the pool when released.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: kyselyPool(pool, settings.preparedStatements) }),
  });
  const activeClients = createActiveClients(lookupInDatabase(db));
  const listener = listenForRevocations(connectionString, activeClients);
  const close = async (): Promise<void> => {
    await listener.stop();
    await db.destroy();
  };
  const poolStats = (): PoolStats => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount });
  const listen = async (channel: string, handler: () => void) => {
    const other = listenFor(connectionString, channel, { notified: handler, listening: () => {} });
    return () => other.stop();
  };
  return { db, kind: 'postgres', activeClients, listen, close, ping: () => ping(db), poolStats };
}

/**
 * The pool as Kysely sees it, with two changes. A client whose query timed out on the client
 * side is destroyed on release instead of reused: its connection may still carry the lost
 * answer. And, with `prepare`, a hot statement goes out as a named prepared statement, which pg
 * parses once per connection and then only binds and runs.
 */
function kyselyPool(pool: pg.Pool, prepare: boolean): PostgresPool {
  const guarded = new WeakSet<pg.PoolClient>();
  const broken = new WeakSet<pg.PoolClient>();
  const connect = async (): Promise<pg.PoolClient> => {
    const client = await pool.connect();
    if (!guarded.has(client)) {
      guarded.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
      Object.assign(client, {
        query: (...args: unknown[]) =>
          query(...(prepare ? named(args) : args)).catch((error: unknown) => {
            if (isDatabaseUnavailable(error)) broken.add(client);
            throw error;
          }),
      });
    }
    // pg-pool gives every checkout a release function of its own; Kysely calls it with false.
    const release = client.release.bind(client);
    client.release = (destroy?: boolean | Error) => release(broken.has(client) || destroy);
    return client;
  };
  return { connect, end: () => pool.end() };
}

/** Kysely calls `query(sql, parameters)`; pg takes `{ name, text, values }` for a named statement. */
function named(args: unknown[]): unknown[] {
  const [text, values] = args;
  const name = typeof text === 'string' ? preparedName(text) : undefined;
  return name === undefined ? args : [{ name, text, values }];
}
