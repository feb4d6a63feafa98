import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_SECRET_HASH_COST } from './domain/credentials.js';
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
};

type Env = Record<string, string | undefined>;

const MIN_SECRET_LENGTH = 32;
const MIN_METRICS_TOKEN_LENGTH = 16;
// What a bearer credential may hold (RFC 6750 b64token), so the token can be sent as it is.
const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

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
    secretHashCost: loadSecretHashCost(env),
    jwtSecret: await resolveJwtSecret(env, database),
    tokenTtlSeconds: integer(env, 'TOKEN_TTL_SECONDS', 3600, 1, 31 * 24 * 3600),
    corsOrigins: (read(env, 'CORS_ORIGINS') ?? '').split(',').map((o) => o.trim()).filter((o) => o !== ''),
    metricsToken: loadMetricsToken(env),
  };
}

function loadMetricsToken(env: Env): string | undefined {
  const token = read(env, 'METRICS_TOKEN');
  if (token !== undefined && (token.length < MIN_METRICS_TOKEN_LENGTH || !BEARER_TOKEN.test(token))) {
    throw new ConfigError(`METRICS_TOKEN must be at least ${MIN_METRICS_TOKEN_LENGTH} characters of A-Z a-z 0-9 - . _ ~ + / (a bearer token)`);
  }
  return token;
}

/** SECRET_HASH_COST, a power of two; lower than the default only where secrets are throwaway (tests, demos). */
export function loadSecretHashCost(env: Env = process.env): number {
  const cost = integer(env, 'SECRET_HASH_COST', DEFAULT_SECRET_HASH_COST, 1024, 131072);
  if ((cost & (cost - 1)) !== 0) throw new ConfigError(`SECRET_HASH_COST must be a power of two from 1024 to 131072, not "${cost}"`);
  return cost;
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
