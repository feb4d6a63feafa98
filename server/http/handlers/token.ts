import { randomBytes } from 'node:crypto';
import { hashSecret, verifySecret } from '../../domain/credentials.js';
import { ProblemError } from '../../domain/problems.js';
import { findClient } from '../../store/clients.js';
import type { TokenIssuer } from '../../domain/tokens.js';
import type { OperationHandlers } from '../operation-types.js';
import type { RateLimits } from '../rate-limits.js';

/** The token endpoint needs the signing key and the failed-token limit, so its handler is made per app. */
export function tokenHandlers(tokens: TokenIssuer, rateLimits: RateLimits) {
  // An unknown client is checked against this throwaway hash: every request costs one scrypt,
  // so the time taken does not tell an unknown client from a wrong secret or a revoked client.
  const throwawayHash = hashSecret(randomBytes(32).toString('base64url'));
  return {
    async createToken({ body }, { store }) {
      // Before the scrypt, so a client_id past its failures costs nothing. Unknown ids are
      // counted as well: a 429 does not tell which ids exist.
      const refund = await rateLimits.tokenAttempt(body.client_id);
      let wrongCredentials = false;
      try {
        const client = await findClient(store.db, body.client_id);
        const secretMatches = await verifySecret(body.client_secret, client?.secret_hash ?? (await throwawayHash));
        if (client === undefined || client.revoked_at !== null || !secretMatches) {
          wrongCredentials = true;
          throw new ProblemError('invalid_client', 'The client credentials are not valid.');
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
