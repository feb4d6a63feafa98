// The targets, one row each: every target is its own process (two for the server ×2).
import { createRequire } from 'node:module';
import path from 'node:path';
import { launch, type Process } from './processes.js';

export type Engine = 'postgres' | 'pglite';
/** The servers' secret, and their database: `DATABASE_URL` or a PGlite `DATA_DIR`. */
type ServerEnv = Record<string, string>;
/** `base`: where the API's operations are, `/v1` on our processes, the root on Prism. */
type TargetSpec = {
  label: string;
  engine?: Engine;
  base: string;
  start(name: string, env: ServerEnv): Promise<Process>[];
};

// Rate limits off, and a statement timeout long enough that a slow list is measured as slow
// instead of cut off at 5 s. No limit of requests per keep-alive connection: past it Node
// answers `Connection: close`, which autocannon ignores, and every later request on that socket
// got a 503 (16 connections × 1,000 requests: any window of a server over 4,000 req/s).
export const SERVER_SETTINGS = {
  RATE_LIMIT_PER_SECOND: '0',
  TOKEN_FAILURES_PER_MINUTE: '0',
  DATABASE_STATEMENT_TIMEOUT_MS: '60000',
  HTTP_MAX_REQUESTS_PER_SOCKET: '0',
  // The bench's tokens are signed once for the whole sitting; the server takes none that lives longer than this.
  TOKEN_TTL_SECONDS: String(3 * 3600),
};

/** `server/main.ts` as `npm start` runs it; `nodeArgs` go before it (the profiler's). */
export const startServer = (name: string, env: ServerEnv, nodeArgs: string[] = []) =>
  launch({
    name,
    args: () => [...nodeArgs, '--import', 'tsx', 'server/main.ts'],
    env: { ...env, ...SERVER_SETTINGS },
    readyPath: '/readyz',
  });

/** The ceilings (bench/bare-server.ts): Hono answering a constant, or the server's SQL run bare. */
const startBare = (name: string, mode: 'constant' | 'sql', env: ServerEnv = {}) =>
  launch({
    name,
    args: () => ['--import', 'tsx', 'bench/bare-server.ts'],
    env: { ...env, BARE: mode, DATABASE_STATEMENT_TIMEOUT_MS: SERVER_SETTINGS.DATABASE_STATEMENT_TIMEOUT_MS },
    readyPath: mode === 'constant' ? '/' : '/readyz',
  });

const prismCli = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@stoplight/prism-cli/package.json')),
  'dist/index.js',
);
/** `prism mock openapi.yaml -v error`, in this process's pid (no forked worker). */
const startPrism = (name: string) =>
  launch({
    name,
    args: (port) => [
      prismCli,
      ...'mock openapi.yaml -v error --no-multiprocess --host 127.0.0.1 --port'.split(' '),
      `${port}`,
    ],
    readyPath: '/healthz',
    anyStatus: true,
  });

const bareSql: TargetSpec['start'] = (name, env) => [startBare(name, 'sql', env)];
const server: TargetSpec['start'] = (name, env) => [startServer(name, env)];

const twoServers: TargetSpec['start'] = (name, env) => [1, 2].map((i) => startServer(`${name} #${i}`, env));

const specs = {
  hono: { label: 'Hono constant handler', base: '', start: (name) => [startBare(name, 'constant')] },
  'bare-postgres': { label: 'bare SQL, PostgreSQL', engine: 'postgres', base: '/v1', start: bareSql },
  'bare-pglite': { label: 'bare SQL, PGlite', engine: 'pglite', base: '/v1', start: bareSql },
  prism: { label: 'Prism mock', base: '', start: (name) => [startPrism(name)] },
  'server-pglite': { label: 'server, PGlite', engine: 'pglite', base: '/v1', start: server },
  'server-postgres': { label: 'server, PostgreSQL', engine: 'postgres', base: '/v1', start: server },
  'server-postgres-x2': { label: 'server ×2, PostgreSQL', engine: 'postgres', base: '/v1', start: twoServers },
  // On a database of its own holding 10,000 connections: what writes cost there against the main one's.
  'server-postgres-10k': {
    label: 'server, PostgreSQL, 10,000 connections',
    engine: 'postgres',
    base: '/v1',
    start: server,
  },
} satisfies Record<string, TargetSpec>;
export type TargetName = keyof typeof specs;
export const TARGETS: Record<TargetName, TargetSpec> = specs;
export const TARGET_NAMES = Object.keys(TARGETS) as TargetName[];

export type Target = { name: TargetName; base: string; processes: Process[] };

/** Starts one target's processes on the database `env` gives it. */
export async function startTarget(name: TargetName, env: (name: TargetName) => ServerEnv): Promise<Target> {
  return { name, base: TARGETS[name].base, processes: await Promise.all(TARGETS[name].start(name, env(name))) };
}
