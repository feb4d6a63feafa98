import { describe, expect, it } from 'vitest';
import {
  hashSecret,
  newClientId,
  newClientSecret,
  newInvitationToken,
  verifySecret,
} from '../../server/domain/credentials.js';

describe('client secrets', () => {
  it('are stored as salted scrypt hashes that verify the secret and nothing else', async () => {
    const secret = newClientSecret();
    const hash = await hashSecret(secret);
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(hash).not.toContain(secret);
    expect(await verifySecret(secret, hash)).toBe(true);
    expect(await verifySecret(`${secret}x`, hash)).toBe(false);
    expect(await verifySecret(newClientSecret(), hash)).toBe(false);
    expect(await verifySecret('', hash)).toBe(false);
    expect(await hashSecret(secret)).not.toBe(hash); // a fresh salt each time
  });

  it('never verify against a hash this module did not make', async () => {
    const secret = newClientSecret();
    const [, n, r, p, salt, key] = (await hashSecret(secret)).split('$');
    for (const stored of [
      '',
      secret,
      `bcrypt$${n}$${r}$${p}$${salt}$${key}`,
      `scrypt$${n}$${r}$${p}$${salt}`,
      `scrypt$1000$${r}$${p}$${salt}$${key}`, // N not a power of two
      `scrypt$${2 ** 30}$${r}$${p}$${salt}$${key}`, // would take gigabytes
      `scrypt$${n}$${r}$${p}$$${key}`,
    ]) {
      expect(await verifySecret(secret, stored), stored).toBe(false);
    }
  });
});

describe('hashing under load', () => {
  it('queues a burst of hashes (two at a time) and answers every one right, failures included', async () => {
    const secrets = Array.from({ length: 7 }, (_, i) => `secret-${i}`);
    const hashes = await Promise.all(secrets.map((secret) => hashSecret(secret)));
    const checks = await Promise.all(hashes.flatMap((hash, i) => [verifySecret(secrets[i] ?? '', hash), verifySecret('wrong', hash)]));
    expect(checks).toEqual(secrets.flatMap(() => [true, false]));
  });
});

describe('generated identifiers', () => {
  it('are unguessable and within the contract lengths', () => {
    expect(newClientId()).toMatch(/^cli_[\w-]{22}$/);
    expect(newClientSecret()).toMatch(/^[\w-]{43}$/); // ≤ 64, the token endpoint's limit
    const token = newInvitationToken();
    expect(token).toMatch(/^[\w-]{43}$/); // 256 bits; the contract wants 10–2000 chars, ≥ 128 bits
    expect(new Set(Array.from({ length: 100 }, newInvitationToken)).size).toBe(100);
  });
});
