// The targets of one sitting, each its own process (two for the server on PostgreSQL ×2).
import { createRequire } from 'node:module';
import path from 'node:path';
import { launch, type Process } from './processes.js';

export const TARGETS = [
  'hono',
  'bare-postgres',
  'bare-pglite',
  'prism',
  'server-pglite',
  'server-postgres',
  'server-postgres-x2',
] as const;
export type TargetName = (typeof TARGETS)[number];

export const LABELS: Record<TargetName, string> = {
  hono: 'Hono constant handler',
  'bare-postgres': 'bare SQL, PostgreSQL',
  'bare-pglite': 'bare SQL, PGlite',
  prism: 'Prism mock',
  'server-pglite': 'server, PGlite',
  'server-postgres': 'server, PostgreSQL',
  'server-postgres-x2': 'server ×2, PostgreSQL',
};

export type Engine = 'postgres' | 'pglite';

export interface Target {
  name: TargetName;
  engine: Engine | undefined;
  /** Where the API's operations are: `/v1` on our processes, the root on Prism. */
  base: string;
  processes: Process[];
}

/** What a target needs to start: the databases, and who tracks its processes for the cleanup. */
export interface StartContext {
  postgres: ServerEnv;
  /** Each PGlite target has a data directory of its own. */
  pglite(name: TargetName): ServerEnv;
  track(process: Process): void;
}

/** Starts one target's processes. */
export async function startTarget(name: TargetName, context: StartContext): Promise<Target> {
  const { track } = context;
  const target = (engine: Engine | undefined, base: string, processes: Process[]): Target => ({
    name,
    engine,
    base,
    processes,
  });
  switch (name) {
    case 'hono':
      return target(undefined, '', [await startBare(name, 'constant', undefined, track)]);
    case 'prism':
      return target(undefined, '', [await startPrism(track)]);
    case 'bare-postgres':
      return target('postgres', '/v1', [await startBare(name, 'sql', context.postgres, track)]);
    case 'bare-pglite':
      return target('pglite', '/v1', [await startBare(name, 'sql', context.pglite(name), track)]);
    case 'server-pglite':
      return target('pglite', '/v1', [await startServer(name, context.pglite(name), track)]);
    case 'server-postgres':
      return target('postgres', '/v1', [await startServer(name, context.postgres, track)]);
    case 'server-postgres-x2':
      return target(
        'postgres',
        '/v1',
        await Promise.all([1, 2].map((i) => startServer(`${name} #${i}`, context.postgres, track))),
      );
  }
}

export const origins = (target: Target): string[] => target.processes.map((p) => `http://127.0.0.1:${p.port}`);
export const pids = (target: Target): number[] => target.processes.map((p) => p.pid);

/** Where the data is, and what every server process of the sitting shares. */
export interface ServerEnv {
  jwtSecret: string;
  database: { DATABASE_URL: string } | { DATA_DIR: string };
}

// Rate limits off (another engineer adds them, behind these variables), and a statement timeout
// long enough that a slow list is measured as slow instead of cut off at the default 5 s. No
// limit of requests per keep-alive connection: past it Node answers `Connection: close`, which
// autocannon ignores, so every later request on that socket got a 503 (16 connections × 1,000
// requests: a window of a server over 4,000 req/s).
export const SERVER_SETTINGS = {
  RATE_LIMIT_PER_SECOND: '0',
  TOKEN_FAILURES_PER_MINUTE: '0',
  DATABASE_STATEMENT_TIMEOUT_MS: '60000',
  HTTP_MAX_REQUESTS_PER_SOCKET: '0',
};

export function startServer(name: string, env: ServerEnv, track: (p: Process) => void): Promise<Process> {
  return launch(
    {
      name,
      args: () => ['--import', 'tsx', 'server/main.ts'],
      env: { ...env.database, ...SERVER_SETTINGS, JWT_SECRET: env.jwtSecret },
      readyPath: '/readyz',
    },
    track,
  );
}

export function startBare(
  name: string,
  mode: 'constant' | 'sql',
  env: ServerEnv | undefined,
  track: (p: Process) => void,
): Promise<Process> {
  return launch(
    {
      name,
      args: () => ['--import', 'tsx', 'bench/bare-server.ts'],
      env: {
        BARE: mode,
        ...env?.database,
        DATABASE_STATEMENT_TIMEOUT_MS: SERVER_SETTINGS.DATABASE_STATEMENT_TIMEOUT_MS,
      },
      readyPath: mode === 'constant' ? '/' : '/readyz',
    },
    track,
  );
}

const prismCli = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@stoplight/prism-cli/package.json')),
  'dist/index.js',
);

/** `prism mock openapi.yaml -v error`, in this process's pid (no forked worker). */
export function startPrism(track: (p: Process) => void): Promise<Process> {
  return launch(
    {
      name: 'prism',
      args: (port) => [
        prismCli,
        'mock',
        'openapi.yaml',
        '-v',
        'error',
        '--no-multiprocess',
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
      ],
      readyPath: '/healthz',
      anyStatus: true,
    },
    track,
  );
}
