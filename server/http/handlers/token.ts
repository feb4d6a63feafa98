import { randomBytes } from 'node:crypto';
import { hashSecret, verifySecret } from '../../domain/credentials.js';
import { ProblemError } from '../../domain/problems.js';
import { findClient } from '../../store/clients.js';
import type { TokenIssuer } from '../../domain/tokens.js';
import { BASIC_CHALLENGE, basicClientCredential, type ClientCredential } from '../auth.js';
import type { OperationHandlers } from '../operation-types.js';
import type { RateLimits } from '../rate-limits.js';

type TokenBody = { client_id?: string; client_secret?: string };

/**
 * The credentials of the request: in the body (client_secret_post) or in `Authorization: Basic`
 * (client_secret_basic), never both (RFC 6749 section 2.3: one method per request). A body that
 * also names the client_id of the Basic credentials is not a second method; another one is.
 */
function clientCredential(body: TokenBody, authorization: string | undefined): ClientCredential & { basic: boolean } {
  const basic = basicClientCredential(authorization);
  if (basic !== undefined) {
    if (body.client_secret !== undefined || (body.client_id !== undefined && body.client_id !== basic.clientId)) {
      throw new ProblemError(
        'invalid_request',
        'Send the client credentials one way: in the Authorization header or in the body, not both.',
      );
    }
    return { ...basic, basic: true };
  }
  const missing = (['client_id', 'client_secret'] as const).filter((name) => body[name] === undefined);
  if (missing.length > 0) {
    throw new ProblemError(
      'validation_failed',
      `${missing.length} input${missing.length === 1 ? ' is' : 's are'} invalid.`,
      {
        errors: missing.map((name) => ({
          location: 'body',
          pointer: `/${name}`,
          message: 'is required, unless the credentials come as Authorization: Basic',
        })),
      },
    );
  }
  return { clientId: body.client_id ?? '', clientSecret: body.client_secret ?? '', basic: false };
}

/** The token endpoint needs the signing key and the failed-token limit, so its handler is made per app. */
export function tokenHandlers(tokens: TokenIssuer, rateLimits: RateLimits) {
  // An unknown client is checked against this throwaway hash: every request costs one scrypt,
  // so the time taken does not tell an unknown client from a wrong secret or a revoked client.
  const throwawayHash = hashSecret(randomBytes(32).toString('base64url'));
  return {
    async createToken({ body }, { store, authorization }) {
      const { clientId, clientSecret, basic } = clientCredential(body, authorization);
      // Before the scrypt, so a client_id past its failures costs nothing. Unknown ids are
      // counted as well: a 429 does not tell which ids exist.
      const refund = await rateLimits.tokenAttempt(clientId);
      let wrongCredentials = false;
      try {
        const client = await findClient(store.db, clientId);
        const secretMatches = await verifySecret(clientSecret, client?.secret_hash ?? (await throwawayHash));
        if (client === undefined || client.revoked_at !== null || !secretMatches) {
          wrongCredentials = true;
          // RFC 6749 section 5.2: a client that sent Basic credentials is told the scheme again.
          const headers = basic ? { 'WWW-Authenticate': BASIC_CHALLENGE } : undefined;
          throw new ProblemError('invalid_client', 'The client credentials are not valid.', { headers });
        }
        const token = tokens.issue({ clientId: client.client_id, organizationId: client.organization_id });
        return {
          status: 200,
          body: { access_token: token.accessToken, token_type: 'Bearer', expires_in: token.expiresIn },
          headers: { 'Cache-Control': 'no-store' },
        };
      } finally {
        // Only wrong credentials stay counted: not a success, nor a failure of ours (a database outage).
        if (!wrongCredentials) await refund();
      }
    },
  } satisfies Pick<OperationHandlers, 'createToken'>;
}
