// Everything a sitting needs before the first measurement: the data, the tokens, the load
// generator, every target's processes, and the two instances that count statements.
import { randomBytes } from 'node:crypto';
import { createTokenIssuer } from '../server/domain/tokens.js';
import { registerCleanup } from './cleanup.js';
import { fixtures, type Caller, type Sizes } from './data.js';
import { loadPostgres, pgliteDirectories, postgresDatabase, type PostgresDatabase } from './databases.js';
import { startGenerator } from './generator.js';
import type { Counted } from './counting.js';
import { GuestPool, type Options, type Sitting } from './measure.js';
import { stop, type Process } from './processes.js';
import { countStatements } from './statements.js';
import { startBare, startServer, startTarget, type Engine, type ServerEnv, type TargetName } from './targets.js';
import type { Sign } from './workloads.js';

// The most POSTs per second a window can take before it runs out of fresh guests (it then ends
// early, and says so): well above the fastest seen here.
const POST_RATE_CAP: Record<Engine, number> = { postgres: 2500, pglite: 1500 };
/** Fresh guests of the two counting instances: 2 warm-up + 10 counted requests each. */
const COUNTED_GUESTS = 2 * (2 + 10);

const ENGINES: Partial<Record<TargetName, Engine>> = {
  'bare-postgres': 'postgres',
  'server-postgres': 'postgres',
  'server-postgres-x2': 'postgres',
  'bare-pglite': 'pglite',
  'server-pglite': 'pglite',
};

/** Every caller's token, signed with the servers' secret by the server's own issuer. */
async function signer(jwtSecret: string, postGuests: number): Promise<Sign> {
  const issuer = createTokenIssuer({ secret: jwtSecret, ttlSeconds: 3 * 3600, now: () => new Date() });
  const callers: Caller[] = [fixtures.lister, fixtures.largeHost, fixtures.smallHost];
  for (let i = 1; i <= postGuests; i++) callers.push(fixtures.postGuest(i));
  const tokens = new Map<string, string>();
  for (const caller of callers) tokens.set(caller.clientId, (await issuer.issue(caller)).accessToken);
  return (caller) => {
    const token = tokens.get(caller.clientId);
    if (token === undefined) throw new Error(`no token was signed for ${caller.clientId}`);
    return token;
  };
}

export interface Prepared {
  sitting: Sitting;
  database: PostgresDatabase;
  /** Every process started, the counting instances included. */
  processes: Process[];
  counted: { server: Counted; bare: Counted };
}

export async function prepare(
  options: Options,
  selected: TargetName[],
  databaseUrl: string,
  progress: (line: string) => void,
): Promise<Prepared> {
  const elapsed = (since: number): string => `${((performance.now() - since) / 1000).toFixed(1)} s`;
  const jwtSecret = randomBytes(32).toString('hex');
  const onEngine = (engine: Engine): TargetName[] => selected.filter((name) => ENGINES[name] === engine);
  const perWindow = (engine: Engine): number =>
    Math.ceil(POST_RATE_CAP[engine] * (options.warmup + options.seconds + 0.5));
  const processes: Process[] = [];
  const track = (p: Process): void => {
    processes.push(p);
    registerCleanup(() => stop(p));
  };

  const generator = startGenerator();
  registerCleanup(() => generator.close());

  // The PostgreSQL load and the PGlite one side by side.
  let phase = performance.now();
  const pgSizes: Sizes = {
    largeList: options.listSizes.large,
    smallList: options.listSizes.small,
    postGuests: onEngine('postgres').length * options.runs * perWindow('postgres') + COUNTED_GUESTS,
  };
  const pgliteSizes: Sizes = { largeList: 0, smallList: 0, postGuests: options.runs * perWindow('pglite') };
  const database = await postgresDatabase(databaseUrl, registerCleanup);
  const [, pgliteDirs, sign] = await Promise.all([
    loadPostgres(database, pgSizes),
    pgliteDirectories(onEngine('pglite').length, pgliteSizes, registerCleanup),
    signer(jwtSecret, Math.max(pgSizes.postGuests, pgliteSizes.postGuests)),
  ]);
  progress(
    `data loaded in ${elapsed(phase)}: on PostgreSQL ${pgSizes.largeList.toLocaleString('en-US')} + ${pgSizes.smallList.toLocaleString('en-US')} ` +
      `listed connections and ${pgSizes.postGuests} fresh guests, on PGlite ${pgliteSizes.postGuests} fresh guests`,
  );

  phase = performance.now();
  const postgres: ServerEnv = { jwtSecret, database: { DATABASE_URL: database.url } };
  const counting = async (name: 'server-postgres' | 'bare-postgres'): Promise<Counted> => {
    const url = new URL(database.url);
    const counter = await countStatements({ host: url.hostname, port: Number(url.port || 5432) });
    registerCleanup(() => counter.close());
    url.port = String(counter.port);
    const env: ServerEnv = { jwtSecret, database: { DATABASE_URL: url.toString() } };
    const label = `${name} (counting statements)`;
    const process = await (name === 'server-postgres'
      ? startServer(label, env, track)
      : startBare(label, 'sql', env, track));
    return { target: { name, engine: 'postgres', base: '/v1', processes: [process] }, counter };
  };
  const context = {
    postgres,
    pglite: (name: TargetName) => ({
      jwtSecret,
      database: { DATA_DIR: pgliteDirs[onEngine('pglite').indexOf(name)] ?? '' },
    }),
    track,
  };
  const [server, bare, ...started] = await Promise.all([
    counting('server-postgres'),
    counting('bare-postgres'),
    ...selected.map((name) => startTarget(name, context)),
  ]);
  progress(`targets ready in ${elapsed(phase)}`);

  const postgresGuests = new GuestPool(pgSizes.postGuests);
  const guests: Sitting['guests'] = new Map();
  for (const name of onEngine('postgres')) guests.set(name, { pool: postgresGuests, perWindow: perWindow('postgres') });
  // Each PGlite target has a database of its own, a copy of the same data.
  for (const name of onEngine('pglite'))
    guests.set(name, { pool: new GuestPool(pgliteSizes.postGuests), perWindow: perWindow('pglite') });
  const targets = new Map(started.map((target) => [target.name, target]));
  const sitting: Sitting = {
    generator,
    targets,
    postgres: database,
    sign,
    options,
    guests,
    countingGuests: postgresGuests,
    progress,
  };
  return { sitting, database, processes, counted: { server, bare } };
}
