import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_SECRET_HASH_COST } from './domain/credentials.js';
import { blockListOf } from './domain/webhook-addresses.js';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from './http/node-server.js';
import type { RateLimitSettings } from './http/rate-limits.js';
import { DEFAULT_ACQUIRE_TIMEOUT_MS, DEFAULT_STATEMENT_TIMEOUT_MS } from './store/timeouts.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Where the data lives; all that the admin and migrate commands need. */
export type DatabaseConfig = {
  databaseUrl?: string | undefined;
  dataDir: string;
  /** Connections per process to PostgreSQL (DATABASE_POOL_SIZE). */
  poolSize: number;
  /** DATABASE_STATEMENT_TIMEOUT_MS: a PostgreSQL statement running longer is cancelled (503). */
  statementTimeoutMs: number;
  /** DATABASE_ACQUIRE_TIMEOUT_MS: waiting longer for a PostgreSQL connection fails (503). */
  acquireTimeoutMs: number;
  /** DATABASE_PREPARED_STATEMENTS: the hot statements go to PostgreSQL as named prepared statements. */
  preparedStatements: boolean;
};

export type Config = DatabaseConfig & {
  /** SECRET_HASH_COST: scrypt's N for new client secrets. */
  secretHashCost: number;
  port: number;
  host: string;
  jwtSecret: string;
  tokenTtlSeconds: number;
  /** CORS_ORIGINS, comma-separated; empty: no browser origin but the API's own. */
  corsOrigins: string[];
  /** METRICS_TOKEN: when set, `GET /metrics` needs it as a bearer token. */
  metricsToken: string | undefined;
  /** HTTP_*: the Node server's header size, timeouts, keep-alive and connection limits. */
  http: HttpLimits;
  rateLimits: RateLimitConfig;
  webhooks: WebhookConfig;
};

export type WebhookConfig = {
  /** WEBHOOK_DISPATCH: `on` (default) sends webhooks from this process, `off` leaves it to others (`npm run worker`). */
  dispatch: boolean;
  /** WEBHOOK_ALLOWED_NETWORKS: comma-separated CIDRs webhooks may reach although not public (and by plain http). */
  allowedNetworks: string[];
};

export type RateLimitConfig = RateLimitSettings & {
  /** REDIS_URL: the Redis every process shares its budgets through; unset, each process counts alone. */
  redisUrl: string | undefined;
  /** REDIS_KEY_PREFIX: the start of every key this server writes to Redis. */
  redisKeyPrefix: string;
};

type Env = Record<string, string | undefined>;

const MIN_SECRET_LENGTH = 32;
const MIN_METRICS_TOKEN_LENGTH = 16;
// What a bearer credential may hold (RFC 6750 b64token), so the token can be sent as it is.
const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** Reads DATABASE_URL, DATA_DIR and DATABASE_POOL_SIZE. Never touches the disk. */
export function loadDatabaseConfig(env: Env = process.env): DatabaseConfig {
  return {
    databaseUrl: postgresUrl(env),
    dataDir: read(env, 'DATA_DIR') ?? './.data',
    poolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 1000),
    statementTimeoutMs: integer(env, 'DATABASE_STATEMENT_TIMEOUT_MS', DEFAULT_STATEMENT_TIMEOUT_MS, 1, 600_000),
    acquireTimeoutMs: integer(env, 'DATABASE_ACQUIRE_TIMEOUT_MS', DEFAULT_ACQUIRE_TIMEOUT_MS, 1, 600_000),
    preparedStatements: boolean(env, 'DATABASE_PREPARED_STATEMENTS', true),
  };
}

/** HOST and PORT: where the server listens (and where the admin command's walkthrough points). */
export function loadAddress(env: Env = process.env): { host: string; port: number } {
  return { port: integer(env, 'PORT', 3000, 0, 65535), host: read(env, 'HOST') ?? '127.0.0.1' };
}

/**
 * The server's whole configuration. Async because, with the embedded database and no
 * JWT_SECRET, the secret is kept in <dataDir>/jwt-secret, created on first start.
 */
export async function loadConfig(env: Env = process.env): Promise<Config> {
  const database = loadDatabaseConfig(env);
  return {
    ...database,
    ...loadAddress(env),
    secretHashCost: loadSecretHashCost(env),
    jwtSecret: await resolveJwtSecret(env, database),
    tokenTtlSeconds: integer(env, 'TOKEN_TTL_SECONDS', 3600, 1, 31 * 24 * 3600),
    corsOrigins: origins(env),
    http: loadHttpLimits(env),
    rateLimits: loadRateLimits(env),
    metricsToken: loadMetricsToken(env),
    webhooks: loadWebhookConfig(env),
  };
}

function loadWebhookConfig(env: Env = process.env): WebhookConfig {
  const dispatch = read(env, 'WEBHOOK_DISPATCH') ?? 'on';
  if (dispatch !== 'on' && dispatch !== 'off')
    throw new ConfigError(`WEBHOOK_DISPATCH must be on or off, not "${dispatch}"`);
  const networks = (read(env, 'WEBHOOK_ALLOWED_NETWORKS') ?? '').split(',').map((cidr) => cidr.trim());
  const allowedNetworks = networks.filter((cidr) => cidr !== '');
  try {
    blockListOf(allowedNetworks);
  } catch (error) {
    throw new ConfigError(`WEBHOOK_ALLOWED_NETWORKS: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { dispatch: dispatch === 'on', allowedNetworks };
}

function loadMetricsToken(env: Env): string | undefined {
  const token = read(env, 'METRICS_TOKEN');
  if (token !== undefined && (token.length < MIN_METRICS_TOKEN_LENGTH || !BEARER_TOKEN.test(token))) {
    throw new ConfigError(
      `METRICS_TOKEN must be at least ${MIN_METRICS_TOKEN_LENGTH} characters of A-Z a-z 0-9 - . _ ~ + / (a bearer token)`,
    );
  }
  return token;
}

/** SECRET_HASH_COST, a power of two; lower than the default only where secrets are throwaway (tests, demos). */
export function loadSecretHashCost(env: Env = process.env): number {
  const cost = integer(env, 'SECRET_HASH_COST', DEFAULT_SECRET_HASH_COST, 1024, 131072);
  if ((cost & (cost - 1)) !== 0)
    throw new ConfigError(`SECRET_HASH_COST must be a power of two from 1024 to 131072, not "${cost}"`);
  return cost;
}

// Checked before any connection is tried: pg would take `garbage` for a host name and fail
// with `getaddrinfo ENOTFOUND base`. The value is not echoed: it may hold a password.
function postgresUrl(env: Env): string | undefined {
  const text = read(env, 'DATABASE_URL');
  if (text === undefined) return undefined;
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (url === undefined || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')) {
    const found = url === undefined ? 'the value is not a URL' : `its scheme is "${url.protocol}"`;
    throw new ConfigError(
      `DATABASE_URL must be a PostgreSQL URL such as postgres://user:password@host:5432/database (${found})`,
    );
  }
  return text;
}

function origins(env: Env): string[] {
  const list = (read(env, 'CORS_ORIGINS') ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  for (const origin of list) {
    // An origin is scheme, host and port only: a path or a trailing slash would never match.
    if (origin !== '*' && !(URL.canParse(origin) && new URL(origin).origin === origin)) {
      throw new ConfigError(
        `CORS_ORIGINS must be * or comma-separated origins such as https://app.example.com, not "${origin}"`,
      );
    }
  }
  return list;
}

/** 0 turns a limit off; the burst defaults to 200, and is never below the per-second rate. */
export function loadRateLimits(env: Env = process.env): RateLimitConfig {
  const perSecond = integer(env, 'RATE_LIMIT_PER_SECOND', 100, 0, 1_000_000);
  const burst = integer(env, 'RATE_LIMIT_BURST', Math.max(200, perSecond), 1, 10_000_000);
  if (perSecond > 0 && burst < perSecond) {
    throw new ConfigError(`RATE_LIMIT_BURST (${burst}) must be at least RATE_LIMIT_PER_SECOND (${perSecond})`);
  }
  return {
    perSecond,
    burst,
    tokenFailuresPerMinute: integer(env, 'TOKEN_FAILURES_PER_MINUTE', 10, 0, 1_000_000),
    redisUrl: read(env, 'REDIS_URL'),
    redisKeyPrefix: read(env, 'REDIS_KEY_PREFIX') ?? 'connections-api',
  };
}

/** The timeouts must be set (Node reads 0 as "never"); the two counts may be 0 for unlimited. */
export function loadHttpLimits(env: Env = process.env): HttpLimits {
  const defaults = DEFAULT_HTTP_LIMITS;
  const limits: HttpLimits = {
    maxHeaderBytes: integer(env, 'HTTP_MAX_HEADER_BYTES', defaults.maxHeaderBytes, 1024, 1024 * 1024),
    headersTimeoutMs: integer(env, 'HTTP_HEADERS_TIMEOUT_MS', defaults.headersTimeoutMs, 1, 600_000),
    requestTimeoutMs: integer(env, 'HTTP_REQUEST_TIMEOUT_MS', defaults.requestTimeoutMs, 1, 3_600_000),
    keepAliveTimeoutMs: integer(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', defaults.keepAliveTimeoutMs, 1, 600_000),
    maxRequestsPerSocket: integer(env, 'HTTP_MAX_REQUESTS_PER_SOCKET', defaults.maxRequestsPerSocket, 0, 1_000_000),
    maxConnections: integer(env, 'HTTP_MAX_CONNECTIONS', defaults.maxConnections, 0, 1_000_000),
  };
  // Node refuses a headers timeout longer than the request timeout.
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new ConfigError(
      `HTTP_HEADERS_TIMEOUT_MS (${limits.headersTimeoutMs}) must not be longer than HTTP_REQUEST_TIMEOUT_MS (${limits.requestTimeoutMs})`,
    );
  }
  return limits;
}

async function resolveJwtSecret(env: Env, database: DatabaseConfig): Promise<string> {
  const configured = read(env, 'JWT_SECRET');
  if (configured !== undefined) {
    if (configured.length < MIN_SECRET_LENGTH) {
      throw new ConfigError(`JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters long`);
    }
    return configured;
  }
  if (database.databaseUrl !== undefined) {
    // Every process sharing a PostgreSQL database must sign with the same key: a secret made
    // up per process would reject tokens issued by its siblings.
    throw new ConfigError(
      `JWT_SECRET is required with DATABASE_URL (at least ${MIN_SECRET_LENGTH} characters, the same for every server process)`,
    );
  }
  return readOrCreateSecretFile(path.join(database.dataDir, 'jwt-secret')).catch((error: unknown) => {
    const problem = dataDirProblem(database.dataDir, error);
    throw problem === undefined ? error : new ConfigError(problem);
  });
}

const FOLDER_ERRNOS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'a file is in the way',
  ENOSPC: 'the disk is full',
};

/** DATA_DIR cannot be used (a file-system error while making or opening it), as one line; else undefined. */
export function dataDirProblem(dataDir: string, error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = 'code' in current && typeof current.code === 'string' ? current.code : undefined;
    const reason = code === undefined ? undefined : FOLDER_ERRNOS[code];
    if (reason !== undefined) {
      const where = 'path' in current && typeof current.path === 'string' ? ` at ${current.path}` : '';
      return `DATA_DIR must be a folder this process can write; ${dataDir}: ${reason}${where} (${code})`;
    }
  }
  return undefined;
}

// Created whole by link() from a private draft, so two servers starting at once agree on one
// secret and neither ever reads a half-written file.
async function readOrCreateSecretFile(file: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(draft, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  try {
    await link(draft, file);
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
  } finally {
    await unlink(draft);
  }
  const secret = (await readFile(file, 'utf8')).trim();
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(`${file} must hold a secret of at least ${MIN_SECRET_LENGTH} characters`);
  }
  return secret;
}

/** The server's address as a user pastes it: a wildcard address is not something to paste into a browser. */
export function displayUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

/** A variable's value; empty counts as unset, so `DATABASE_URL=` means the embedded database. */
function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const text = read(env, name);
  if (text === undefined) return fallback;
  if (text === 'true' || text === 'false') return text === 'true';
  throw new ConfigError(`${name} must be true or false, not "${text}"`);
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const text = read(env, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, not "${text}"`);
  }
  return value;
}
