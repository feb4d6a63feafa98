// What a failed start says: one line naming the setting to fix and what it must be. The
// server, the admin command and `npm run migrate` print these instead of a driver's message
// and a stack trace (`getaddrinfo ENOTFOUND base` names neither DATABASE_URL nor the fix).
import { ConfigError, dataDirProblem, type DatabaseConfig } from './config.js';
import { DatabaseLockedError } from './store/errors.js';

type Coded = Error & { code?: unknown };

/** The innermost error of a `cause` chain that carries a code (errno or SQLSTATE), else the outermost. */
function rootCause(error: unknown): Coded | undefined {
  let found: Coded | undefined;
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if (found === undefined || typeof (current as Coded).code === 'string') found = current;
  }
  return found;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

/** The URL as it may be shown: without its password. */
function shownUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.password = '';
  return url.toString();
}

/** Why PostgreSQL could not be used, in the words an operator fixes it with. */
function postgresProblem(databaseUrl: string, cause: Coded, acquireTimeoutMs: number): string {
  const url = new URL(databaseUrl);
  const where = shownUrl(databaseUrl);
  const server = `${url.hostname || 'localhost'}:${url.port || '5432'}`;
  const code = typeof cause.code === 'string' ? cause.code : undefined;
  const reach = `DATABASE_URL must point at a PostgreSQL server this process can reach: ${where}`;
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${reach}: host "${url.hostname}" not found (${code})`;
    case 'ECONNREFUSED':
      return `${reach}: nothing accepts connections on ${server} (ECONNREFUSED)`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return `${reach}: ${server} is unreachable (${code})`;
    case '28P01':
    case '28000':
      return `DATABASE_URL must name a user and password PostgreSQL accepts: ${where}: ${cause.message} (${code})`;
    case '3D000':
      return `DATABASE_URL must name an existing database: ${where}: ${cause.message} (${code}); create it first`;
  }
  if (/timeout exceeded when trying to connect|connection timeout/i.test(cause.message)) {
    return `${reach}: no answer from ${server} within ${acquireTimeoutMs} ms (DATABASE_ACQUIRE_TIMEOUT_MS)`;
  }
  return `DATABASE_URL ${where}: ${firstLine(cause.message)}${code === undefined ? '' : ` (${code})`}`;
}

/**
 * One line for an error of opening or migrating the database at start. Always names
 * DATABASE_URL or DATA_DIR: whatever went wrong there, those are what the operator changes.
 */
export function databaseProblem(error: unknown, config: DatabaseConfig): string {
  if (error instanceof ConfigError || error instanceof DatabaseLockedError) return error.message;
  const cause = rootCause(error) ?? new Error(String(error));
  if (config.databaseUrl !== undefined) return postgresProblem(config.databaseUrl, cause, config.acquireTimeoutMs);
  const outer = error instanceof Error ? error.message : String(error);
  return (
    dataDirProblem(config.dataDir, error) ??
    `DATA_DIR ${config.dataDir}: the embedded database could not be opened: ${firstLine(outer)}`
  );
}

/** Why the server could not listen on HOST:PORT, as one line naming the one to change. */
export function listenProblem(error: Error & { code?: unknown }, host: string, port: number): string {
  switch (error.code) {
    case 'EADDRINUSE':
      return `PORT ${port} is already in use on ${host}: set PORT to a free port (0 picks one)`;
    case 'EACCES':
    case 'EPERM':
      return `PORT ${port} needs privileges this process does not have: set PORT to 1024 or above (${String(error.code)})`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EADDRNOTAVAIL':
    case 'EINVAL':
      return `HOST must be an address of this machine (127.0.0.1, 0.0.0.0, ::, or one of its own); "${host}" is not (${String(error.code)})`;
    default:
      return `cannot listen on HOST ${host}, PORT ${port}: ${firstLine(error.message)}`;
  }
}
