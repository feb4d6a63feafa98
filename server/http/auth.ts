// Bearer tokens: signed HS256 JWTs naming the API client (`sub`) and its organization (`org`).
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { findActiveClient } from '../store/clients.js';
import type { Database } from '../store/schema.js';
import { signJwt, verifyJwt } from './jwt.js';
import { HttpProblem } from './problem.js';

export interface TokenClaims {
  sub: string;
  org: string;
  iat: number;
  exp: number;
  jti: string;
}

export interface TokenIssuer {
  issue(client: { clientId: string; organizationId: string }): Promise<{ accessToken: string; expiresIn: number }>;
  /** The claims of a well-signed, unexpired token; undefined for anything else. */
  verify(token: string): Promise<TokenClaims | undefined>;
}

export interface Authenticated {
  clientId: string;
  organizationId: string;
}

export function createTokenIssuer(options: { secret: string; ttlSeconds: number; now: () => Date }): TokenIssuer {
  const seconds = (): number => Math.floor(options.now().getTime() / 1000);
  return {
    async issue({ clientId, organizationId }) {
      const iat = seconds();
      const claims: TokenClaims = { sub: clientId, org: organizationId, iat, exp: iat + options.ttlSeconds, jti: randomUUID() };
      return { accessToken: signJwt({ ...claims }, options.secret), expiresIn: options.ttlSeconds };
    },
    async verify(token) {
      // Time claims are checked here against the injected clock, so tests can move it.
      const payload = verifyJwt(token, options.secret);
      if (payload === undefined) return undefined;
      const { sub, org, iat, exp, jti } = payload;
      if (typeof sub !== 'string' || typeof org !== 'string' || typeof jti !== 'string') return undefined;
      if (typeof iat !== 'number' || typeof exp !== 'number' || !(exp > seconds())) return undefined;
      return { sub, org, iat, exp, jti };
    },
  };
}

// RFC 7235 `credentials = auth-scheme [ 1*SP token68 ]`; the scheme is case-insensitive.
const CREDENTIALS = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?: +(.*))?$/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/** The bearer token of an `Authorization` header; undefined when there is no bearer credential at all. */
function bearerToken(header: string | undefined): { token: string | undefined } | undefined {
  const match = CREDENTIALS.exec(header?.trim() ?? '');
  if (!match || match[1]?.toLowerCase() !== 'bearer') return undefined;
  const token = match[2]?.trim() ?? '';
  return { token: TOKEN68.test(token) ? token : undefined };
}

/**
 * Who is calling, from the bearer token alone. Every failure is the same 401: the detail does
 * not say whether the signature, the expiry or the client was wrong. RFC 6750: a request
 * without bearer credentials gets a bare challenge, one with a bad token `error="invalid_token"`.
 */
export async function authenticate(
  authorization: string | undefined,
  tokens: TokenIssuer,
  db: Kysely<Database>,
): Promise<Authenticated> {
  const credential = bearerToken(authorization);
  if (credential === undefined) {
    throw new HttpProblem('invalid_token', 'A bearer token is required.', { 'WWW-Authenticate': 'Bearer' });
  }
  const invalid = new HttpProblem('invalid_token', 'The bearer token is malformed, forged, expired or revoked.', {
    'WWW-Authenticate': 'Bearer error="invalid_token"',
  });
  const claims = credential.token === undefined ? undefined : await tokens.verify(credential.token);
  if (claims === undefined) throw invalid;
  // A revoked client's tokens die with it, before they expire.
  const client = await findActiveClient(db, claims.sub);
  if (client === undefined || client.organization_id !== claims.org) throw invalid;
  return { clientId: client.client_id, organizationId: client.organization_id };
}

/** The requester header is only cross-checked against the token, never trusted. */
export function checkRequester(requesterHeader: string, caller: Authenticated): void {
  if (requesterHeader.toLowerCase() !== caller.organizationId.toLowerCase()) {
    throw new HttpProblem('requester_mismatch', 'Requester-Organization-ID is not the organization of the token.');
  }
}
