// The targets, one row each: every target is its own process (two for the server ×2).
import { launch, type Process } from './processes.js';

export type Engine = 'postgres' | 'pglite';
/**
 * `args`: what node runs (`bench/bare-server.ts` is the ceilings: Hono answering a constant, or the
 * server's SQL run bare); `processes`: how many. The API's operations are under `/v1` on the
 * targets with a database, at the root on the others (Prism; Hono answers any path).
 */
type TargetSpec = { label: string; engine?: Engine; args: string[]; processes?: number };

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

const server = ['--import', 'tsx', 'server/main.ts'];
const bare = (mode: 'constant' | 'sql') => ['--import', 'tsx', 'bench/bare-server.ts', mode];
// `prism mock openapi.yaml -v error`, its script run by node itself: this process's pid (no forked worker).
const prism = 'node_modules/.bin/prism mock openapi.yaml -v error --no-multiprocess'.split(' ');

const specs = {
  hono: { label: 'Hono constant handler', args: bare('constant') },
  'bare-postgres': { label: 'bare SQL, PostgreSQL', engine: 'postgres', args: bare('sql') },
  'bare-pglite': { label: 'bare SQL, PGlite', engine: 'pglite', args: bare('sql') },
  prism: { label: 'Prism mock', args: prism },
  'server-pglite': { label: 'server, PGlite', engine: 'pglite', args: server },
  'server-postgres': { label: 'server, PostgreSQL', engine: 'postgres', args: server },
  'server-postgres-x2': { label: 'server ×2, PostgreSQL', engine: 'postgres', args: server, processes: 2 },
  // On a database of its own holding 10,000 connections: what writes cost there against the main one's.
  'server-postgres-10k': { label: 'server, PostgreSQL, 10,000 connections', engine: 'postgres', args: server },
} satisfies Record<string, TargetSpec>;
export type TargetName = keyof typeof specs;
export const TARGETS: Record<TargetName, TargetSpec> = specs;
export const TARGET_NAMES = Object.keys(TARGETS) as TargetName[];

export type Target = { name: TargetName; base: string; processes: Process[] };

/** Starts a target's processes; `env` names its database and secret, `nodeArgs` go first (the profiler's). */
export async function startTarget(name: TargetName, env: Record<string, string>, nodeArgs: string[] = []) {
  const { engine, args, processes = 1 } = TARGETS[name];
  const start = (i: number) =>
    launch({
      name: processes > 1 ? `${name} #${i + 1}` : name,
      args: (port) => [...nodeArgs, ...args, ...(name === 'prism' ? ['--host', '127.0.0.1', '--port', `${port}`] : [])],
      env: { ...env, ...SERVER_SETTINGS },
      anyStatus: name === 'prism', // it has no /readyz: its 404 says it is up
    });
  const started = await Promise.all(Array.from({ length: processes }, (_, i) => start(i)));
  return { name, base: engine ? '/v1' : '', processes: started } satisfies Target;
}
