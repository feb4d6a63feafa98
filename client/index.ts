import createClient, { type Client } from 'openapi-fetch';
import { bearerAuth, tokenFromOption, withTokenRefresh, type TokenOption, type TokenSource } from './auth.js';
import { clientCredentials } from './client-credentials.js';
import { idempotencyKeys } from './idempotency.js';
import { organizationHeaders } from './organization-headers.js';
import { createPaginate, type Paginate } from './paginate.js';
import { routeBasePaths } from './base-paths.js';
import { TOKEN_ROUTE } from './routes.js';
import { DEFAULT_RETRY, withRetries, type RetryOptions } from './retry.js';
import { withTimeout, type Transport } from './transport.js';
import type { ClientPaths } from './types.js';

export { ConnectionsApiError, isProblem } from './problem.js';
export type { ListItem, ListPath, PageInit, Paginate } from './paginate.js';
export type { RetryOptions } from './retry.js';
export type { TokenOption } from './auth.js';
export type { ClientPaths, ErrorCode, OrganizationHeaderName, Problem } from './types.js';
export type * from '../generated/openapi.js';

/** Either a bearer token you already have (a browser), or API client credentials (a service). */
export type ConnectionsAuth =
  | { token: TokenOption; clientId?: never; clientSecret?: never }
  | { clientId: string; clientSecret: string; token?: never };

export type ConnectionsClientOptions = ConnectionsAuth & {
  /** Up to and including `/v1`, e.g. `http://127.0.0.1:3000/v1`; a Prism mock's root also works. */
  baseUrl: string;
  /** The organization of the token; sent as `Requester-Organization-ID`. */
  requesterOrganizationId: string;
  /** Sent as `Target-Organization-ID` unless a call sets that header; defaults to the requester (the self scenario). */
  targetOrganizationId?: string;
  /** Replaces the global `fetch` (tests, an in-process app, a proxy agent). */
  fetch?: (input: Request, init?: RequestInit) => Promise<Response>;
  /** Each attempt is abandoned after this long. Default 30 s. */
  timeoutMs?: number;
  retry?: RetryOptions;
};

export type ConnectionsClient = Client<ClientPaths> & { paginate: Paginate };

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * A typed client for the Connections API: `client.GET('/host-connections', { params: { query } })`
 * and so on, with bearer auth, organization headers, retries, idempotency keys and timeouts done.
 */
export function createConnectionsClient(options: ConnectionsClientOptions): ConnectionsClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const custom = options.fetch;
  // Looked up per call, and never called detached: browsers reject an unbound `fetch`.
  const network: Transport = custom ? (request) => custom(request) : (request) => globalThis.fetch(request);
  const attempt = withTimeout(network, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const tokens = tokenSource(
    options,
    baseUrl,
    withRetries(attempt, retry, () => true),
  );

  const client = createClient<ClientPaths>({ baseUrl, fetch: withTokenRefresh(withRetries(attempt, retry), tokens) });
  client.use(
    routeBasePaths,
    organizationHeaders({
      requesterOrganizationId: options.requesterOrganizationId,
      targetOrganizationId: options.targetOrganizationId ?? options.requesterOrganizationId,
    }),
    idempotencyKeys,
    bearerAuth(tokens),
  );
  return Object.assign(client, { paginate: createPaginate(client) });
}

/** Minting a token has no effect worth guarding, so its request is retried like a safe one. */
function tokenSource(auth: ConnectionsAuth, baseUrl: string, send: Transport): TokenSource {
  if (auth.token !== undefined) return tokenFromOption(auth.token);
  return clientCredentials({
    tokenUrl: `${baseUrl}${TOKEN_ROUTE.path}`,
    clientId: auth.clientId,
    clientSecret: auth.clientSecret,
    send,
  });
}
