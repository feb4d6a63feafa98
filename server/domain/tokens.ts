// Access tokens: signed HS256 JWTs naming the API client (`sub`) and its organization (`org`).
import { randomUUID } from 'node:crypto';
import { signJwt, verifyJwt } from './jwt.js';

interface TokenClaims {
  readonly sub: string;
  readonly org: string;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
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

/**
 * Tokens already verified, so that a client's next request with the same token costs no HMAC
 * or JSON parsing: keyed by the exact string, oldest out first past the bound. Expiry is still
 * checked on every use; revocation is checked after verify, by the caller, every time.
 */
const VERIFIED_TOKENS = 10_000;

export function createTokenIssuer(options: { secret: string; ttlSeconds: number; now: () => Date }): TokenIssuer {
  const seconds = (): number => Math.floor(options.now().getTime() / 1000);
  const verified = new Map<string, TokenClaims>();
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
      const known = verified.get(token);
      if (known !== undefined) {
        if (known.exp > seconds()) return known;
        verified.delete(token);
        return undefined;
      }
      const claims = verifiedClaims(token);
      if (claims === undefined) return undefined;
      if (verified.size >= VERIFIED_TOKENS) verified.delete(verified.keys().next().value ?? '');
      verified.set(token, claims);
      return claims;
    },
  };

  function verifiedClaims(token: string): TokenClaims | undefined {
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
  }
}
