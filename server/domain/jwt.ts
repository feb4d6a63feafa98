// HS256 JSON Web Tokens (RFC 7519) with node:crypto. The HMAC runs synchronously on the event
// loop, in microseconds: WebCrypto would queue every request's check on libuv's thread pool,
// behind the scrypt hashes of token requests (docs/benchmarks.md, token-contention.ts).
import { createHmac, timingSafeEqual } from 'node:crypto';

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

function signature(input: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(input).digest();
}

export function signJwt(claims: Record<string, unknown>, secret: string): string {
  const input = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${signature(input, secret).toString('base64url')}`;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// Node's decoder skips characters outside the alphabet, padding and the unused low bits of the
// last character, so many strings decode to one token's bytes. Only the encoding signJwt
// produces is accepted: unpadded base64url that re-encodes to itself.
const BASE64URL = /^[A-Za-z0-9_-]*$/;

function canonicalBytes(part: string): Buffer | undefined {
  if (!BASE64URL.test(part)) return undefined;
  const bytes = Buffer.from(part, 'base64url');
  return bytes.toString('base64url') === part ? bytes : undefined;
}

function decode(part: string): unknown {
  const bytes = canonicalBytes(part);
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The claims of a token signed with `secret` by HS256; undefined for anything else (no other alg is accepted). */
export function verifyJwt(token: string, secret: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header = '', payload = '', sent = ''] = parts;
  const headerJson = decode(header);
  if (!isObject(headerJson) || headerJson.alg !== 'HS256') return undefined;
  const expected = signature(`${header}.${payload}`, secret);
  const actual = canonicalBytes(sent);
  if (actual === undefined || actual.length !== expected.length || !timingSafeEqual(actual, expected)) return undefined;
  const claims = decode(payload);
  return isObject(claims) ? claims : undefined;
}
