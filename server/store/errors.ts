const UNIQUE_VIOLATION = '23505';

/** PostgreSQL refused a row that a unique index or primary key already holds (same SQLSTATE on both engines). */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === UNIQUE_VIOLATION;
}

/** The embedded database's data directory is held by another live process. */
export class DatabaseLockedError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `the embedded database in ${dataDir} is open in another process (pid ${pid}): ` +
        'stop the server first, or set DATABASE_URL',
    );
    this.name = 'DatabaseLockedError';
  }
}

/** The embedded database was closed while the app still ran (shutdown, or a test closing it). */
export class DatabaseClosedError extends Error {
  constructor() {
    super('the embedded database is closed');
    this.name = 'DatabaseClosedError';
  }
}

// SQLSTATE classes and codes that mean "the database is not there right now", not "this
// request is wrong": 08 connection exceptions, 53300 too many connections, 57014 a statement
// cancelled by statement_timeout, 57P01–57P03 a server shutting down or starting up.
const UNAVAILABLE_SQLSTATES = new Set(['53300', '57014', '57P01', '57P02', '57P03']);
// Socket errors of the driver.
const UNAVAILABLE_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// pg, pg-pool and Kysely (a store closed under a running app) raise these as plain Errors, without a code.
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable|Cannot use a pool after calling end|driver has already been destroyed/;

/**
 * Whether an error means the database is unreachable or too slow (an outage, a failover, a
 * timeout), which a client answers with a retry, rather than a bug. Follows `cause` chains.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if (current instanceof DatabaseClosedError) return true;
    const code = 'code' in current && typeof current.code === 'string' ? current.code : undefined;
    if (
      code !== undefined &&
      (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_ERRNOS.has(code))
    )
      return true;
    if (UNAVAILABLE_MESSAGES.test(current.message)) return true;
  }
  return false;
}
