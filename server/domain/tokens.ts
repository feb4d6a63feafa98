// Access tokens: signed HS256 JWTs naming the API client (`sub`) and its organization (`org`).
import { randomUUID } from 'node:crypto';
import { signJwt, verifyJwt } from './jwt.js';

interface TokenClaims {
  sub: string;
  org: string;
  iat: number;
  exp: number;
  jti: string;
}

export interface TokenIssuer {
  issue(client: { clientId: string; organizationId: string }): { accessToken: string; expiresIn: number };
  /** The claims of a well-signed, unexpired token; undefined for anything else. */
  verify(token: string): TokenClaims | undefined;
}

/**
 * How far ahead of our clock a token's `iat` may be: clocks of the processes sharing the key
 * drift a little, but a token from the future was minted elsewhere, with the key.
 */
const MAX_CLOCK_SKEW_SECONDS = 60;

export function createTokenIssuer(options: { secret: string; ttlSeconds: number; now: () => Date }): TokenIssuer {
  const seconds = (): number => Math.floor(options.now().getTime() / 1000);
  return {
    issue({ clientId, organizationId }) {
      const iat = seconds();
      const claims: TokenClaims = {
        sub: clientId,
        org: organizationId,
        iat,
        exp: iat + options.ttlSeconds,
        jti: randomUUID(),
      };
      return { accessToken: signJwt({ ...claims }, options.secret), expiresIn: options.ttlSeconds };
    },
    verify(token) {
      // Time claims are checked here against the injected clock, so tests can move it.
      const payload = verifyJwt(token, options.secret);
      if (payload === undefined) return undefined;
      const { sub, org, iat, exp, jti } = payload;
      if (typeof sub !== 'string' || typeof org !== 'string' || typeof jti !== 'string') return undefined;
      if (typeof iat !== 'number' || typeof exp !== 'number') return undefined;
      const now = seconds();
      // A token we issued lives exactly ttlSeconds from an iat in the past: anything else was
      // minted with a leaked key (a ten-year token, a token dated ahead to live longer).
      if (!(exp > now) || iat > now + MAX_CLOCK_SKEW_SECONDS || exp - iat > options.ttlSeconds) return undefined;
      return { sub, org, iat, exp, jti };
    },
  };
}
