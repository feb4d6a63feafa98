// A Kysely dialect for PGlite. PGlite is one Postgres backend in this process: one connection.
// Kysely expects a pool, so the driver hands out that one connection behind a FIFO mutex:
// whoever acquires it (a single query, or a transaction from BEGIN to COMMIT/ROLLBACK)
// holds it exclusively, and concurrent callers queue. Consequence: inside a transaction,
// use the transaction object only; a query on the outer `db` would wait for itself forever.
import type { PGlite } from '@electric-sql/pglite';
import {
  AbortedTransactionError,
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { DatabaseClosedError } from './errors.js';

export class PGliteDialect implements Dialect {
  readonly #pglite: PGlite;
  #driver: PGliteDriver | undefined;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  /** Whether the connection is held, and how many callers wait for it (for metrics). */
  connectionUse(): { busy: boolean; waiting: number } {
    const pending = this.#driver?.pending ?? 0;
    return { busy: pending > 0, waiting: Math.max(0, pending - 1) };
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    this.#driver = new PGliteDriver(this.#pglite);
    return this.#driver;
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
}

class Mutex {
  #tail: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;
  /** Callers between lock() and unlock(): the holder and those queued behind it. */
  pending = 0;

  async lock(): Promise<void> {
    this.pending++;
    const previous = this.#tail;
    let release = (): void => {};
    this.#tail = new Promise((resolve) => (release = resolve));
    await previous;
    this.#release = release;
  }

  unlock(): void {
    const release = this.#release;
    if (release !== undefined) this.pending--;
    this.#release = undefined;
    release?.();
  }
}

class PGliteDriver implements Driver {
  readonly #pglite: PGlite;
  readonly #connection: PGliteConnection;
  readonly #mutex = new Mutex();
  #closed = false;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
    this.#connection = new PGliteConnection(pglite);
  }

  get pending(): number {
    return this.#mutex.pending;
  }

  async init(): Promise<void> {
    await this.#pglite.waitReady;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#mutex.lock();
    if (this.#closed) {
      this.#mutex.unlock();
      throw new DatabaseClosedError();
    }
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    let statement = 'start transaction';
    if (settings.isolationLevel !== undefined) statement += ` isolation level ${settings.isolationLevel}`;
    if (settings.accessMode !== undefined) statement += ` ${settings.accessMode}`;
    await connection.executeQuery(CompiledQuery.raw(statement));
  }

  async commitTransaction(): Promise<void> {
    // As Kysely's pg driver does: Postgres answers COMMIT of a failed transaction with a
    // ROLLBACK tag, which executeQuery does not return, so ask PGlite directly.
    const { command } = await this.#pglite.query('commit');
    if (command === 'ROLLBACK') {
      throw new AbortedTransactionError();
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteIdentifier(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to savepoint ${quoteIdentifier(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release savepoint ${quoteIdentifier(name)}`));
  }

  async releaseConnection(): Promise<void> {
    this.#mutex.unlock();
  }

  // Waits for the connection, so a running transaction finishes before PGlite closes.
  async destroy(): Promise<void> {
    await this.#mutex.lock();
    try {
      if (!this.#closed) {
        this.#closed = true;
        await this.#pglite.close();
      }
    } finally {
      this.#mutex.unlock();
    }
  }
}

class PGliteConnection implements DatabaseConnection {
  readonly #pglite: PGlite;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.#pglite.query<R>(query.sql, [...query.parameters], { rowMode: 'object' });
    const changesRows = ['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(result.command ?? '');
    return changesRows
      ? { rows: result.rows, numAffectedRows: BigInt(result.affectedRows ?? 0) }
      : { rows: result.rows };
  }

  streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported by the PGlite dialect');
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
