import type { components } from '../generated/openapi.js';
import type { TokenSource } from './auth.js';
import { ConnectionsApiError, isProblem } from './problem.js';
import { TOKEN_ROUTE } from './routes.js';
import type { Transport } from './transport.js';

type Token = components['schemas']['Token'];

interface Issued {
  token: string;
  /** Epoch ms after which the token is renewed before use. */
  renewAt: number;
}

export interface ClientCredentials {
  /** `${baseUrl}/oauth2/token`. */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Sends the token request; it must not go through the bearer layer (that would recurse). */
  send: Transport;
}

const isToken = (value: unknown): value is Token =>
  typeof value === 'object' &&
  value !== null &&
  'access_token' in value &&
  typeof value.access_token === 'string' &&
  'expires_in' in value &&
  typeof value.expires_in === 'number';

/** Renew a little before expiry (10 %, at most a minute) so a token does not die in flight. */
const renewMarginSeconds = (expiresIn: number) => Math.min(60, expiresIn / 10);

/**
 * Tokens from `POST /oauth2/token`, cached until shortly before they expire. Concurrent calls that
 * need a new token share one token request.
 */
export function clientCredentials(options: ClientCredentials): TokenSource {
  let issued: Issued | undefined;
  let pending: Promise<Issued> | undefined;

  const usable = (value: Issued | undefined): value is Issued => value !== undefined && Date.now() < value.renewAt;

  function renew(): Promise<Issued> {
    pending ??= requestToken(options)
      .then((value) => (issued = value))
      .finally(() => (pending = undefined));
    return pending;
  }

  return {
    current: async () => (usable(issued) ? issued.token : (await renew()).token),
    // A token other than the rejected one means another call has renewed it already.
    refresh: async (rejected) => (usable(issued) && issued.token !== rejected ? issued.token : (await renew()).token),
  };
}

async function requestToken(options: ClientCredentials): Promise<Issued> {
  const response = await options.send(
    new Request(options.tokenUrl, {
      method: TOKEN_ROUTE.method.toUpperCase(),
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: options.clientId,
        client_secret: options.clientSecret,
      } satisfies components['schemas']['TokenRequest']),
    }),
  );
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok || !isToken(body)) {
    throw new ConnectionsApiError(
      response.status,
      isProblem(body) ? body : undefined,
      `${TOKEN_ROUTE.method.toUpperCase()} ${TOKEN_ROUTE.path} failed`,
    );
  }
  return {
    token: body.access_token,
    renewAt: Date.now() + (body.expires_in - renewMarginSeconds(body.expires_in)) * 1000,
  };
}
