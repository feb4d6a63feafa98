// The bearer credential of a request (RFC 6750) and the 401 challenges that go with it; who the
// token names is decided by the domain (server/domain/access.ts). And the Basic credentials a
// client may send the token endpoint instead of its body's (RFC 6749 section 2.3.1).
import { createHash, timingSafeEqual } from 'node:crypto';
import { authenticate, type Identity } from '../domain/access.js';
import type { TokenIssuer } from '../domain/tokens.js';
import type { ActiveClients } from '../store/active-clients.js';
import { ProblemError } from '../domain/problems.js';

// RFC 7235 `credentials = auth-scheme [ 1*SP token68 ]`; the scheme is case-insensitive.
const CREDENTIALS = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?: +(.*))?$/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/** 401 with its challenge: bare without bearer credentials, `error="invalid_token"` with a bad token. */
function unauthorized(detail: string, challenge: 'Bearer' | 'Bearer error="invalid_token"'): ProblemError {
  return new ProblemError('invalid_token', detail, { headers: { 'WWW-Authenticate': challenge } });
}

/** The bearer token of an `Authorization` header; undefined when there is no bearer credential at all. */
function bearerToken(header: string | undefined): { token: string | undefined } | undefined {
  const match = CREDENTIALS.exec(header?.trim() ?? '');
  if (match?.[1]?.toLowerCase() !== 'bearer') return undefined;
  const token = match[2]?.trim() ?? '';
  return { token: TOKEN68.test(token) ? token : undefined };
}

/**
 * Who is calling, or 401. Every failure is the same 401: the detail does not say whether the
 * signature, the expiry or the client was wrong. A request without bearer credentials gets a
 * bare challenge, one with a bad token `error="invalid_token"`.
 */
export async function authenticateRequest(
  authorization: string | undefined,
  tokens: TokenIssuer,
  clients: ActiveClients,
): Promise<Identity> {
  const credential = bearerToken(authorization);
  if (credential === undefined) {
    throw unauthorized('A bearer token is required.', 'Bearer');
  }
  const identity = credential.token === undefined ? undefined : await authenticate(clients, tokens, credential.token);
  if (identity === undefined) {
    throw unauthorized('The bearer token is malformed, forged, expired or revoked.', 'Bearer error="invalid_token"');
  }
  return identity;
}

/** What a client says in the `Basic` challenge of a failed client_secret_basic request (RFC 6749 section 5.2). */
export const BASIC_CHALLENGE = 'Basic realm="oauth2/token", charset="UTF-8"';

export interface ClientCredential {
  clientId: string;
  clientSecret: string;
}

/** application/x-www-form-urlencoded decoding of one value; undefined when a `%` escape is broken. */
function formDecoded(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/**
 * The client credentials of a `Basic` Authorization header (client_secret_basic, RFC 6749
 * section 2.3.1: id and secret each form-encoded, joined by `:`, in base64); undefined when the
 * header carries no Basic credentials. Malformed ones: 400 invalid_request.
 */
export function basicClientCredential(authorization: string | undefined): ClientCredential | undefined {
  const match = CREDENTIALS.exec(authorization?.trim() ?? '');
  if (match?.[1]?.toLowerCase() !== 'basic') return undefined;
  const token = match[2]?.trim() ?? '';
  const decoded = TOKEN68.test(token) ? Buffer.from(token, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  const clientId = colon > 0 ? formDecoded(decoded.slice(0, colon)) : undefined;
  const clientSecret = colon > 0 ? formDecoded(decoded.slice(colon + 1)) : undefined;
  if (clientId === undefined || clientSecret === undefined) {
    throw new ProblemError(
      'invalid_request',
      'The Basic credentials are not base64 of the form-encoded client_id, a colon and the form-encoded client_secret.',
    );
  }
  return { clientId, clientSecret };
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * A fixed bearer token set by the operator (`METRICS_TOKEN`), or 401 with the same challenges.
 * Compared in constant time (digests of equal length), so the answer's timing tells nothing
 * about how much of a guess was right.
 */
export function checkFixedToken(authorization: string | undefined, expected: string): void {
  const credential = bearerToken(authorization);
  if (credential === undefined) {
    throw unauthorized('A bearer token is required.', 'Bearer');
  }
  if (credential.token === undefined || !timingSafeEqual(digest(credential.token), digest(expected))) {
    throw unauthorized('The bearer token is not the one this endpoint takes.', 'Bearer error="invalid_token"');
  }
}
