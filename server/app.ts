// The Connections API as a Hono app: every operation of openapi.yaml, its auth, validation and
// errors. `server/main.ts` serves it; backend developers can mount or `app.request()` it.
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { loadContract, type Contract } from './contract/document.js';
import { compileValidators, type ContractValidators } from './contract/validation.js';
import { createTokenIssuer } from './domain/tokens.js';
import { publicOnly, type WebhookPolicy } from './domain/webhook-urls.js';
import { createHandlers } from './http/handlers/index.js';
import { REQUEST_ID_HEADER, requestLogging, stdoutLogger, type AppEnv, type Logger } from './http/logging.js';
import { createMetrics } from './http/metrics.js';
import type { OperationHandlers } from './http/operation-types.js';
import { countingRejections, noRateLimits, type RateLimits } from './http/rate-limits.js';
import { registerOperations } from './http/router.js';
import { securityHeaders } from './http/security-headers.js';
import type { Store } from './store/database.js';

export interface AppOptions {
  store: Store;
  /** HS256 key that signs and checks access tokens; every process sharing a database needs the same. */
  jwtSecret: string;
  /** Lifetime of access tokens; default 3600. */
  tokenTtlSeconds?: number;
  /** Check every response against the contract and answer 500 for a violation (for tests). */
  validateResponses?: boolean;
  /** One call per request (and per unexpected error); default: a JSON line on stdout. */
  log?: Logger;
  /** The clock of access tokens; default the system clock. */
  now?: () => Date;
  /** Browser origins allowed to call the API (CORS); `['*']` for any; default none. */
  corsOrigins?: string[];
  /** Request budgets per organization and failed-token limits (`createRateLimits`); default none. The caller closes it. */
  rateLimits?: RateLimits;
  /** Replaces some operation handlers, e.g. to test the HTTP layer with fakes. */
  handlers?: Partial<OperationHandlers>;
  /** When set, `GET /metrics` needs `Authorization: Bearer <metricsToken>`; default open. */
  metricsToken?: string | undefined;
  /** Where webhooks may go: default public addresses only, names resolved by DNS. */
  webhookPolicy?: WebhookPolicy;
}

export type App = Hono<AppEnv>;

/** What a browser may send and read: every header the contract declares, and the request id. */
function corsHeaders(contract: Contract): { allowHeaders: string[]; exposeHeaders: string[] } {
  const requestHeaders = contract.operations.flatMap((op) =>
    op.parameters.filter((p) => p.in === 'header').map((p) => p.name),
  );
  const responseHeaders = contract.operations.flatMap((op) =>
    Object.values(op.responseHeaders).flatMap((headers) => Object.keys(headers)),
  );
  // Authorization carries the bearer token (the contract's security scheme), Content-Type the body's media type.
  return {
    allowHeaders: [...new Set(['Authorization', 'Content-Type', REQUEST_ID_HEADER, ...requestHeaders])],
    exposeHeaders: [...new Set([REQUEST_ID_HEADER, ...responseHeaders])],
  };
}

let validators: ContractValidators | undefined;

export function createApp(options: AppOptions): App {
  const contract = loadContract();
  // Compiling every schema takes a while; the contract is fixed for the process, so once is enough.
  validators ??= compileValidators(contract);
  const tokens = createTokenIssuer({
    secret: options.jwtSecret,
    ttlSeconds: options.tokenTtlSeconds ?? 3600,
    now: options.now ?? (() => new Date()),
  });
  const log = options.log ?? stdoutLogger;
  const metrics = createMetrics(options.store);
  const app = new Hono<AppEnv>();
  app.use('*', securityHeaders);
  app.use('*', requestLogging(log));
  app.use('*', metrics.middleware);
  if (options.corsOrigins !== undefined && options.corsOrigins.length > 0) {
    const origins = options.corsOrigins;
    app.use('*', cors({ origin: origins.includes('*') ? '*' : origins, ...corsHeaders(contract), maxAge: 600 }));
  }
  const rateLimits = countingRejections(options.rateLimits ?? noRateLimits, metrics.rateLimited);
  registerOperations(app, contract, {
    store: options.store,
    handlers: {
      ...createHandlers(
        tokens,
        rateLimits,
        { metrics, token: options.metricsToken },
        options.webhookPolicy ?? publicOnly,
      ),
      ...options.handlers,
    },
    validators,
    tokens,
    rateLimits,
    validateResponses: options.validateResponses ?? false,
    log,
  });
  return app;
}
