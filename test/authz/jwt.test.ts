// A token is accepted only in the exact bytes it was issued: every part canonical base64url.
// Node's base64url decoder skips characters outside the alphabet and ignores padding and the
// unused low bits of the last character, so without this check many strings would decode to
// the same signed bytes (a malleable token: same signature, another string).
import { beforeAll, describe, expect, it } from 'vitest';
import { signJwt, verifyJwt } from '../../server/domain/jwt.js';
import { TEST_JWT_SECRET, createTestApp, type TestApp, type TestOrganization } from '../support/app.js';

const secret = 'jwt-test-secret-jwt-test-secret-0123456789';

/** A signed token whose signature holds both `-` and `_`, so the `+/` variant differs from it. */
function tokenWithUrlCharacters(sign: (claims: Record<string, unknown>) => string): string {
  for (let n = 0; ; n++) {
    const token = sign({ sub: 'client', n });
    const signature = token.split('.')[2] ?? '';
    if (signature.includes('-') && signature.includes('_')) return token;
  }
}

/** Every way of writing the same bytes differently, or with ignored characters added. */
function variants(token: string): Record<string, string> {
  const [header = '', payload = '', signature = ''] = token.split('.');
  const last = signature.slice(-1);
  // 32 bytes are 43 characters; the last one carries 4 bits and 2 unused ones.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const sameBits = alphabet[(alphabet.indexOf(last) & ~3) | ((alphabet.indexOf(last) + 1) & 3)] ?? last;
  return {
    'padding after the signature': `${header}.${payload}.${signature}==`,
    'a ~ inside the signature': `${header}.${payload}.${signature.slice(0, 10)}~${signature.slice(10)}`,
    '+/ instead of -_ in the signature': `${header}.${payload}.${signature.replace(/-/g, '+').replace(/_/g, '/')}`,
    'unused bits set in the last character': `${header}.${payload}.${signature.slice(0, -1)}${sameBits}`,
    'padding after the payload': `${header}.${payload}=.${signature}`,
    'an ignored character in the header': `${header}*.${payload}.${signature}`,
  };
}

describe('verifyJwt', () => {
  const token = tokenWithUrlCharacters((claims) => signJwt(claims, secret));

  it('accepts the token as issued', () => {
    expect(verifyJwt(token, secret)).toMatchObject({ sub: 'client' });
  });

  it('the variants decode to the same bytes, so only the encoding check can refuse them', () => {
    const bytes = (part: string) => Buffer.from(part, 'base64url').toString('hex');
    const [, , signature = ''] = token.split('.');
    for (const [name, variant] of Object.entries(variants(token))) {
      const parts = variant.split('.');
      expect(parts.map(bytes), name).toEqual(token.split('.').map(bytes));
      expect(variant, name).not.toBe(token);
    }
    expect(signature).toMatch(/[-_]/);
  });

  it.each(Object.entries(variants(token)))('refuses %s', (_, variant) => {
    expect(verifyJwt(variant, secret)).toBeUndefined();
  });
});

describe('the API with a re-encoded token', () => {
  let t: TestApp;
  let org: TestOrganization;

  beforeAll(async () => {
    t = await createTestApp('pglite');
    org = await t.newOrganization();
  });

  it('answers 401 to each variant of a valid token', async () => {
    // The test app's tokens are real: re-sign one whose signature has both `-` and `_`.
    const token = tokenWithUrlCharacters((claims) =>
      signJwt(
        {
          ...JSON.parse(Buffer.from(org.token.split('.')[1] ?? '', 'base64url').toString()),
          ...claims,
          sub: org.client_id,
        },
        TEST_JWT_SECRET,
      ),
    );
    const headers = { ...org.headers(), Authorization: `Bearer ${token}` };
    expect((await t.request(`/v1/organizations/${org.organization_id}`, { headers })).status).toBe(200);
    for (const [name, variant] of Object.entries(variants(token))) {
      const response = await t.request(`/v1/organizations/${org.organization_id}`, {
        headers: { ...headers, Authorization: `Bearer ${variant}` },
      });
      expect(response.status, name).toBe(401);
    }
  });
});
