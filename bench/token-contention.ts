// What a few token requests do to everyone else on the same server process: the latency of a
// light list load alone, then with token requests (one scrypt each) in flight beside it. Run
// with libuv's default thread pool (4) and with a large one (32), to tell the wait for a pool
// thread (JWT checks go through WebCrypto, which queues behind the scrypts) from plain lack of CPU.
// PostgreSQL, one server process. Usage and results: bench/README.md.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { migrateToLatest } from '../server/store/migrate.js';
import { guard, registerCleanup, runMain, stopping } from './cleanup.js';
import { postgresDatabase } from './databases.js';
import { runLoad, type Completion, type RequestSpec } from './load.js';
import { listRequest, tokenFor, tokenRequest } from './requests.js';
import { seed } from './seed.js';
import { startServer, stopServer } from './servers.js';
import { median, percentile } from './stats.js';

const WARMUP_MS = 1000;
const MEASURE_MS = 4000;
const LIST_IN_FLIGHT = 2;
const THREAD_POOLS = ['4', '32'];

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    'token-in-flight': { type: 'string', default: '8' },
    'database-url': { type: 'string', default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const runs = Number(args.runs);
const tokensInFlight = Number(args['token-in-flight']);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(tokensInFlight) || tokensInFlight < 1) {
  throw new Error('--runs and --token-in-flight must be positive integers');
}

guard(5 * 60 * 1000);

interface Window {
  requestsPerSecond: number;
  p50: number;
  p99: number;
}

function measured(completions: Completion[]): Window {
  const window = completions.filter((c) => c.ok && c.end >= WARMUP_MS && c.end < WARMUP_MS + MEASURE_MS);
  const latencies = window.map((c) => c.latency).sort((a, b) => a - b);
  return { requestsPerSecond: window.length / (MEASURE_MS / 1000), p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

async function load(port: number, spec: RequestSpec, concurrency: number): Promise<Window> {
  const result = await runLoad({ ports: [port], concurrency, next: () => spec, stop: (elapsed) => elapsed >= WARMUP_MS + MEASURE_MS, signal: stopping });
  if (result.errors > 0) throw new Error(`${result.errors} unexpected answers; first: ${result.firstError}`);
  return measured(result.completions);
}

const cell = (windows: Window[], key: keyof Window): string => median(windows.map((w) => w[key])).toFixed(key === 'requestsPerSecond' ? 0 : 1);

async function main(): Promise<void> {
  const database = await postgresDatabase(args['database-url'] ?? '');
  registerCleanup(() => database.remove());
  const jwtSecret = randomBytes(32).toString('hex');
  const store = await database.open();
  const seeded = await migrateToLatest(store.db)
    .then(() => seed(store.db, { jwtSecret, listSize: 25, pendingGuests: 0 }))
    .finally(() => store.close());

  const lines = [
    `${runs} runs; list: ${LIST_IN_FLIGHT} in flight; token: ${tokensInFlight} in flight; ${WARMUP_MS / 1000} s warm-up + ${MEASURE_MS / 1000} s measured; medians`,
    '',
    '| UV_THREADPOOL_SIZE | list alone: req/s | p50 ms | p99 ms | list beside token load: req/s | p50 ms | p99 ms | token req/s |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const threads of THREAD_POOLS) {
    const env = { ...database.env, JWT_SECRET: jwtSecret, UV_THREADPOOL_SIZE: threads };
    const server = await startServer(env, (started) => registerCleanup(() => stopServer(started)));
    const list = listRequest(seeded, await tokenFor(server.port, seeded.lister));
    const alone: Window[] = [];
    const beside: Window[] = [];
    const tokens: Window[] = [];
    for (let run = 0; run < runs; run++) {
      stopping.throwIfAborted();
      alone.push(await load(server.port, list, LIST_IN_FLIGHT));
      const [withTokens, tokenWindow] = await Promise.all([
        load(server.port, list, LIST_IN_FLIGHT),
        load(server.port, tokenRequest(seeded), tokensInFlight),
      ]);
      beside.push(withTokens);
      tokens.push(tokenWindow);
      process.stderr.write(
        `[threads ${threads} run ${run + 1}] list alone p50 ${alone.at(-1)?.p50.toFixed(1)} ms; ` +
          `beside tokens p50 ${withTokens.p50.toFixed(1)} ms, ${tokenWindow.requestsPerSecond.toFixed(0)} tokens/s\n`,
      );
    }
    await stopServer(server);
    lines.push(
      `| ${threads} | ${cell(alone, 'requestsPerSecond')} | ${cell(alone, 'p50')} | ${cell(alone, 'p99')} | ` +
        `${cell(beside, 'requestsPerSecond')} | ${cell(beside, 'p50')} | ${cell(beside, 'p99')} | ${cell(tokens, 'requestsPerSecond')} |`,
    );
  }
  console.log(lines.join('\n'));
}

runMain(main);
