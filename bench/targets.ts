// The targets, each its own process (two for the server on PostgreSQL ×2), and how each starts.
import { createRequire } from 'node:module';
import path from 'node:path';
import { launch, type Process } from './processes.js';

export const LABELS = {
  hono: 'Hono constant handler',
  'bare-postgres': 'bare SQL, PostgreSQL',
  'bare-pglite': 'bare SQL, PGlite',
  prism: 'Prism mock',
  'server-pglite': 'server, PGlite',
  'server-postgres': 'server, PostgreSQL',
  'server-postgres-x2': 'server ×2, PostgreSQL',
};
export type TargetName = keyof typeof LABELS;
export const TARGETS = Object.keys(LABELS) as TargetName[];
export type Engine = 'postgres' | 'pglite';
export const engineOf = (name: TargetName): Engine | undefined =>
  name.endsWith('pglite') ? 'pglite' : name.includes('postgres') ? 'postgres' : undefined;

/** `base`: where the API's operations are, `/v1` on our processes, the root on Prism. */
export type Target = { name: TargetName; base: string; processes: Process[] };

/** The servers' secret, and their database: `DATABASE_URL` or a PGlite `DATA_DIR`. */
type ServerEnv = Record<string, string>;

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

/** Starts one target's processes; `env` gives each its database. */
export async function startTarget(name: TargetName, env: (name: TargetName) => ServerEnv): Promise<Target> {
  const target = (base: string, processes: Process[]): Target => ({ name, base, processes });
  if (name === 'hono') return target('', [await startBare(name, 'constant')]);
  if (name === 'bare-postgres' || name === 'bare-pglite')
    return target('/v1', [await startBare(name, 'sql', env(name))]);
  if (name === 'prism')
    return target('', [
      // `prism mock openapi.yaml -v error`, in this process's pid (no forked worker).
      await launch({
        name,
        args: (port) => [
          prismCli,
          ...'mock openapi.yaml -v error --no-multiprocess --host 127.0.0.1 --port'.split(' '),
          `${port}`,
        ],
        readyPath: '/healthz',
        anyStatus: true,
      }),
    ]);
  const count = name === 'server-postgres-x2' ? 2 : 1;
  const names = count === 1 ? [name] : [1, 2].map((i) => `${name} #${i}`);
  return target('/v1', await Promise.all(names.map((n) => startServer(n, env(name)))));
}
