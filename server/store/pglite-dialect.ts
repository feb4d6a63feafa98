// A Kysely dialect for PGlite. PGlite is one Postgres backend in this process: one connection.
// Kysely expects a pool, so the driver hands out that one connection behind a FIFO mutex:
// whoever acquires it (a single query, or a transaction from BEGIN to COMMIT/ROLLBACK)
// holds it exclusively, and concurrent callers queue. Consequence: inside a transaction,
// use the transaction object only; a query on the outer `db` would wait for itself forever.
import { parse, protocol, types, type messages, type PGlite, type Results } from '@electric-sql/pglite';
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
import { ConnectionStatements } from './statement-cache.js';

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

  // Transaction control has no parameters: one simple-protocol Query (exec) instead of the
  // extended protocol's five round trips into PGlite (query). The connection is held already.
  async beginTransaction(_connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    let statement = 'start transaction';
    if (settings.isolationLevel !== undefined) statement += ` isolation level ${settings.isolationLevel}`;
    if (settings.accessMode !== undefined) statement += ` ${settings.accessMode}`;
    await this.#pglite.exec(statement);
  }

  async commitTransaction(): Promise<void> {
    // As Kysely's pg driver does: Postgres answers COMMIT of a failed transaction with a
    // ROLLBACK tag, which executeQuery does not return, so ask PGlite directly.
    const [result] = await this.#pglite.exec('commit');
    if (result?.command === 'ROLLBACK') {
      throw new AbortedTransactionError();
    }
  }

  async rollbackTransaction(): Promise<void> {
    await this.#pglite.exec('rollback');
    this.#connection.rolledBack();
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
  /** The named statements this PGlite has parsed: they live as long as its one session. */
  readonly #prepared = new Set<string>();
  /** The result columns of each, with their parsers, from its first run. */
  readonly #columns = new Map<string, Columns>();
  /** Which statements are named, and how the session plans (statement-cache.ts). */
  readonly #statements = new ConnectionStatements();

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  rolledBack(): void {
    this.#statements.rolledBack();
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const { name, evicted, setup } = this.#statements.plan(query.sql, query.parameters.length);
    if (evicted !== undefined && this.#prepared.delete(evicted)) {
      this.#columns.delete(evicted);
      await this.#pglite.exec(`deallocate ${evicted}`);
    }
    for (const statement of setup) await this.#pglite.exec(statement);
    const result =
      name === undefined
        ? await this.#pglite.query<R>(query.sql, [...query.parameters], { rowMode: 'object' })
        : await this.#executePrepared<R>(name, query);
    return ROW_COMMANDS.has(result.command ?? '')
      ? { rows: result.rows, numAffectedRows: BigInt(result.affectedRows ?? 0) }
      : { rows: result.rows };
  }

  /**
   * A hot statement or a list's (server/store/prepared.ts): parsed once under its name, then each run is
   * one call into PGlite instead of query()'s five, and PostgreSQL does not parse and plan it
   * again. Its first run also describes its columns; later runs reuse that description (a
   * prepared statement's columns cannot change: PostgreSQL refuses to run it then) and only
   * bind and execute.
   */
  async #executePrepared<R>(name: string, query: CompiledQuery): Promise<Results<R>> {
    const { serialize } = protocol;
    return this.#pglite.runExclusive(async () => {
      if (!this.#prepared.has(name)) {
        await this.#pglite.execProtocol(concat([serialize.parse({ name, text: query.sql }), SYNC]));
        this.#prepared.add(name);
      }
      const bind = serialize.bind({ statement: name, values: query.parameters.map(parameterText) });
      const columns = this.#columns.get(name);
      if (columns === undefined) {
        const { messages } = await this.#pglite.execProtocol(
          concat([bind, serialize.describe({ type: 'P' }), EXECUTE_SYNC]),
        );
        const [result] = parse.parseResults(messages, this.#pglite.parsers, { rowMode: 'object' }) as Results<R>[];
        if (result === undefined) throw new Error(`prepared statement ${name} returned no result`);
        this.#columns.set(name, columnsOf(result.fields, this.#pglite.parsers));
        return result;
      }
      const { messages } = await this.#pglite.execProtocol(concat([bind, EXECUTE_SYNC]));
      return resultOf<R>(messages, columns);
    });
  }

  streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported by the PGlite dialect');
  }
}

/** A parameter as the text PostgreSQL parses by the statement's parameter type (as PGlite's query() sends it). */
function parameterText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  throw new TypeError(`a prepared statement's parameter cannot be a ${typeof value}`);
}

const SYNC = protocol.serialize.sync();
const EXECUTE_SYNC = concat([protocol.serialize.execute(), SYNC]);

/** The commands whose tag counts the rows they changed. */
const ROW_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/** A statement's result columns, and the parser of each, as parse.parseResults looks them up. */
type Columns = { fields: Results['fields']; parsers: (PGlite['parsers'][number] | undefined)[] };

function columnsOf(fields: Results['fields'], parsers: PGlite['parsers']): Columns {
  return { fields, parsers: fields.map(({ dataTypeID }) => parsers[dataTypeID] ?? types.parsers[dataTypeID]) };
}

/** What parse.parseResults makes of one statement's messages, with the columns known already. */
function resultOf<R>(messages: messages.BackendMessage[], { fields, parsers }: Columns): Results<R> {
  const rows: Record<string, unknown>[] = [];
  let command: string | undefined;
  let affectedRows = 0;
  for (const message of messages) {
    if (message.name === 'dataRow') {
      const row: Record<string, unknown> = {};
      for (const [i, { name, dataTypeID }] of fields.entries()) {
        const value = (message as messages.DataRowMessage).fields[i] ?? null;
        const parse = parsers[i];
        row[name] = value === null || parse === undefined ? value : parse(value, dataTypeID);
      }
      rows.push(row);
    } else if (message.name === 'commandComplete') {
      const words = (message as messages.CommandCompleteMessage).text.split(' ');
      command = words[0];
      const count = Number.parseInt(words.at(-1) ?? '', 10);
      if (ROW_COMMANDS.has(command ?? '') && !Number.isNaN(count)) affectedRows = count;
    }
  }
  return { rows: rows as R[], fields, command, affectedRows };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const message = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    message.set(part, offset);
    offset += part.length;
  }
  return message;
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
