import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from './http/node-server.js';
import type { RateLimitSettings } from './http/rate-limits.js';
import { DEFAULT_ACQUIRE_TIMEOUT_MS, DEFAULT_STATEMENT_TIMEOUT_MS } from './store/database.js';

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
};

export type Config = DatabaseConfig & {
  port: number;
  host: string;
  jwtSecret: string;
  tokenTtlSeconds: number;
  /** CORS_ORIGINS, comma-separated; empty: no browser origin but the API's own. */
  corsOrigins: string[];
  /** HTTP_*: the Node server's header size, timeouts, keep-alive and connection limits. */
  http: HttpLimits;
  rateLimits: RateLimitConfig;
};

export type RateLimitConfig = RateLimitSettings & {
  /** REDIS_URL: the Redis every process shares its budgets through; unset, each process counts alone. */
  redisUrl: string | undefined;
  /** REDIS_KEY_PREFIX: the start of every key this server writes to Redis. */
  redisKeyPrefix: string;
};

type Env = Record<string, string | undefined>;

const MIN_SECRET_LENGTH = 32;

/** Reads DATABASE_URL, DATA_DIR and DATABASE_POOL_SIZE. Never touches the disk. */
export function loadDatabaseConfig(env: Env = process.env): DatabaseConfig {
  return {
    databaseUrl: read(env, 'DATABASE_URL'),
    dataDir: read(env, 'DATA_DIR') ?? './.data',
    poolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 1000),
    statementTimeoutMs: integer(env, 'DATABASE_STATEMENT_TIMEOUT_MS', DEFAULT_STATEMENT_TIMEOUT_MS, 1, 600_000),
    acquireTimeoutMs: integer(env, 'DATABASE_ACQUIRE_TIMEOUT_MS', DEFAULT_ACQUIRE_TIMEOUT_MS, 1, 600_000),
  };
}

/**
 * The server's whole configuration. Async because, with the embedded database and no
 * JWT_SECRET, the secret is kept in <dataDir>/jwt-secret, created on first start.
 */
export async function loadConfig(env: Env = process.env): Promise<Config> {
  const database = loadDatabaseConfig(env);
  return {
    ...database,
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: read(env, 'HOST') ?? '127.0.0.1',
    jwtSecret: await resolveJwtSecret(env, database),
    tokenTtlSeconds: integer(env, 'TOKEN_TTL_SECONDS', 3600, 1, 31 * 24 * 3600),
    corsOrigins: (read(env, 'CORS_ORIGINS') ?? '').split(',').map((o) => o.trim()).filter((o) => o !== ''),
    http: loadHttpLimits(env),
    rateLimits: loadRateLimits(env),
  };
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
  return readOrCreateSecretFile(path.join(database.dataDir, 'jwt-secret'));
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

/** A variable's value; empty counts as unset, so `DATABASE_URL=` means the embedded database. */
function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
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
