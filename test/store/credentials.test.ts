import { createHook } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { schemas } from '../../generated/operations.js';
import {
  DEFAULT_SECRET_HASH_COST,
  hashSecret,
  hashesInFlight,
  newClientId,
  newClientSecret,
  newInvitationToken,
  setSecretHashCost,
  verifySecret,
} from '../../server/domain/credentials.js';

describe('client secrets', () => {
  it('are stored as salted scrypt hashes that verify the secret and nothing else', async () => {
    const secret = newClientSecret();
    // At the production cost, which the test setup lowers (SECRET_HASH_COST) for everything else.
    setSecretHashCost(DEFAULT_SECRET_HASH_COST);
    const hash = await hashSecret(secret).finally(() =>
      setSecretHashCost(Number(process.env.SECRET_HASH_COST ?? DEFAULT_SECRET_HASH_COST)),
    );
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

describe('the cost of hashing', () => {
  it('is a setting for new hashes, and a hash keeps the cost it was made with', async () => {
    const secret = newClientSecret();
    const before = await hashSecret(secret);
    setSecretHashCost(2048);
    try {
      const cheaper = await hashSecret(secret);
      expect(cheaper).toMatch(/^scrypt\$2048\$/);
      expect(await verifySecret(secret, before)).toBe(true);
      expect(await verifySecret(secret, cheaper)).toBe(true);
    } finally {
      setSecretHashCost(Number(process.env.SECRET_HASH_COST ?? DEFAULT_SECRET_HASH_COST));
    }
    expect(() => setSecretHashCost(1000)).toThrow(RangeError);
    expect(() => setSecretHashCost(512)).toThrow(RangeError);
  });
});

describe('hashing under load', () => {
  it('queues a burst of hashes: two run at a time, each freed slot goes to the next, and every answer is right', async () => {
    // What runs at once is seen from outside the module: each scrypt job libuv is given
    // (SCRYPTREQUEST) counts from its start until its callback, so a different limit, or
    // none, shows up as a different peak.
    const started = new Set<number>();
    let inFlight = 0;
    let peak = 0;
    const jobs = createHook({
      init(id, type) {
        if (type !== 'SCRYPTREQUEST') return;
        started.add(id);
        inFlight += 1;
        peak = Math.max(peak, inFlight);
      },
      before(id) {
        if (started.delete(id)) inFlight -= 1;
      },
    }).enable();
    const secrets = Array.from({ length: 7 }, (_, i) => `secret-${i}`);
    const seen: { running: number; waiting: number; inFlight: number }[] = [];
    try {
      const pending = secrets.map((secret) =>
        hashSecret(secret).finally(() => seen.push({ ...hashesInFlight(), inFlight })),
      );
      expect({ ...hashesInFlight(), inFlight }).toEqual({ running: 2, waiting: 5, inFlight: 2 });
      const hashes = await Promise.all(pending);
      expect(peak).toBe(2);
      // After each hash: the slot passed on while some wait, then the last two drain.
      expect(seen).toEqual(
        [4, 3, 2, 1, 0, 0, 0].map((waiting, i) => ({
          running: i < 5 ? 2 : 6 - i,
          waiting,
          inFlight: i < 5 ? 2 : 6 - i,
        })),
      );
      const checks = await Promise.all(
        hashes.flatMap((hash, i) => [verifySecret(secrets[i] ?? '', hash), verifySecret('wrong', hash)]),
      );
      expect(checks).toEqual(secrets.flatMap(() => [true, false]));
      expect(peak).toBe(2); // the 14 checks at once wait for the same two slots
      expect(inFlight).toBe(0);
    } finally {
      jobs.disable();
    }
  });
});

describe('generated identifiers', () => {
  it('are unguessable and within the contract lengths', () => {
    const [clientId, secret, token] = [newClientId(), newClientSecret(), newInvitationToken()];
    expect(clientId).toMatch(/^cli_[\w-]{22}$/);
    expect(secret).toMatch(/^[\w-]{43}$/);
    expect(token).toMatch(/^[\w-]{43}$/); // 256 bits; the contract wants ≥ 128
    // What the contract accepts back: the token endpoint's ClientId and ClientSecret, the InvitationToken.
    for (const [value, schema] of [
      [clientId, schemas.ClientId],
      [secret, schemas.ClientSecret],
      [token, schemas.InvitationToken],
    ] as const) {
      expect(value).toMatch(new RegExp(schema.pattern));
      expect(value.length).toBeGreaterThanOrEqual(schema.minLength);
      expect(value.length).toBeLessThanOrEqual(schema.maxLength);
    }
    expect(new Set(Array.from({ length: 100 }, newInvitationToken)).size).toBe(100);
  });
});
