// `npm start`: configuration from the environment, the database migrated, the API served.
// With the embedded database and nothing in it, a demo is seeded and a walkthrough printed.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { formatWalkthrough, seedDemo } from './demo.js';
import { setSecretHashCost } from './domain/credentials.js';
import { DatabaseLockedError, openDatabase } from './store/database.js';
import { migrateToLatest } from './store/migrate.js';

function fail(message: string): never {
  console.error(`connections-api: ${message}`);
  process.exit(1);
}

function displayUrl(host: string, port: number): string {
  // A wildcard address is not something to paste into a browser.
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

async function main(): Promise<void> {
  const config = await loadConfig();
  setSecretHashCost(config.secretHashCost);
  const store = await openDatabase(config);
  const embedded = config.databaseUrl === undefined;
  const prepared = await (async () => {
    await migrateToLatest(store.db);
    const demo = embedded ? await seedDemo(store) : null;
    const app = createApp({
      store,
      jwtSecret: config.jwtSecret,
      tokenTtlSeconds: config.tokenTtlSeconds,
      corsOrigins: config.corsOrigins,
      metricsToken: config.metricsToken,
    });
    return { demo, app };
  })().catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  const { app, demo } = prepared;

  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info: AddressInfo) => {
    const url = displayUrl(config.host, info.port);
    if (demo) console.log(formatWalkthrough(demo, url));
    const database = embedded ? `embedded database in ${config.dataDir}` : 'PostgreSQL';
    console.log(`connections-api listening on ${url} (API at ${url}/v1, ${database})`);
  });
  server.on('error', (error: NodeJS.ErrnoException) => {
    const reason = error.code === 'EADDRINUSE' ? `${config.host}:${config.port} is already in use` : error.message;
    void store.close().finally(() => fail(reason));
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      console.error(`connections-api: ${signal} again, exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    console.error(`connections-api: ${signal}, finishing requests in flight`);
    // close() stops accepting and waits for open requests; idle keep-alive connections are
    // closed now, busy ones once their response is sent.
    server.close((error) => {
      void store.close().finally(() => process.exit(error ? 1 : 0));
    });
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DatabaseLockedError) fail(error.message);
  fail(error instanceof Error ? (error.stack ?? error.message) : String(error));
});
