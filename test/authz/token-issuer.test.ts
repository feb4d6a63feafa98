// The token issuer remembers the tokens it verified, so that a client's next request with the
// same token costs no HMAC: only the exact string it verified, and never past the token's expiry.
import { describe, expect, it } from 'vitest';
import { createTokenIssuer } from '../../server/domain/tokens.js';

describe('createTokenIssuer', () => {
  let now = new Date('2030-01-01T00:00:00Z');
  const tokens = createTokenIssuer({ secret: 'issuer-test-secret-0123456789abcdef', ttlSeconds: 60, now: () => now });
  const { accessToken } = tokens.issue({ clientId: 'cli_a', organizationId: 'org-a' });

  it('answers a token verified before from memory: the same claims, not verified again', () => {
    const first = tokens.verify(accessToken);
    expect(first).toMatchObject({ sub: 'cli_a', org: 'org-a' });
    expect(tokens.verify(accessToken)).toBe(first);
  });

  it('refuses another string for the same bytes, though it decodes like a remembered token', () => {
    expect(tokens.verify(accessToken)).toBeDefined();
    expect(tokens.verify(`${accessToken}=`)).toBeUndefined();
  });

  it('forgets a remembered token at its expiry', () => {
    expect(tokens.verify(accessToken)).toBeDefined();
    now = new Date(now.getTime() + 60_000);
    expect(tokens.verify(accessToken)).toBeUndefined();
    now = new Date(now.getTime() - 60_000);
    // Forgotten, not only refused: verified again from its bytes, which the clock now allows.
    expect(tokens.verify(accessToken)).toBeDefined();
  });
});
