// The `connections-api/server` entry point: what a backend developer needs to run, mount or
// test the API in a process of their own.
export { createApp, type App, type AppOptions } from './app.js';
export { loadConfig, ConfigError, type Config } from './config.js';
export { openDatabase, openMemoryDatabase, type Store, type DatabaseOptions } from './store/database.js';
export { DatabaseLockedError } from './store/errors.js';
export { migrateToLatest } from './store/migrate.js';
export { createSandbox, type Sandbox, type SandboxOptions } from './sandbox.js';
export { createNodeServer, DEFAULT_HTTP_LIMITS, type HttpLimits } from './http/node-server.js';
export { createRateLimits, noRateLimits, type RateLimits, type RateLimitsOptions } from './http/rate-limits.js';
export type {
  OperationHandlers,
  OperationHandler,
  OperationInput,
  OperationResult,
  Requester,
} from './http/operation-types.js';
export { ProblemError, type ErrorCode } from './domain/problems.js';
// The webhook dispatcher, for a process that mounts the app itself (`npm start` runs it for you).
export { startDispatcher, webhookPolicyOf } from './webhooks/run.js';
export { problemCatalog, type Problem } from './http/problem.js';
