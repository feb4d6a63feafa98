// Secrets are stored only as scrypt hashes: slow and memory-hard, so a leaked table does not
// give the secrets away. The parameters travel with each hash, so they can be raised later
// without invalidating the hashes already stored.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt's cost N by default: about 50 ms of one core here. */
export const DEFAULT_SECRET_HASH_COST = 16384;
let cost = DEFAULT_SECRET_HASH_COST;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

/**
 * The cost N of the hashes made from now on (SECRET_HASH_COST); hashes already stored keep
 * theirs. Lower it only where secrets are throwaway: tests, demos, benchmarks.
 */
export function setSecretHashCost(value: number): void {
  if (!isPowerOfTwo(value) || value < 2 ** 10 || value > 2 ** 17)
    throw new RangeError(`a scrypt cost must be a power of two from 1024 to 131072, not ${value}`);
  cost = value;
}

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64url. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const n = cost;
  const hash = await derive(secret, salt, KEY_LENGTH, { N: n, r: R, p: P });
  return ['scrypt', n, R, P, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** False for a wrong secret and for a hash this module did not make; never throws for either. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [cost, blockSize, parallelism] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const expected = Buffer.from(parts[5] ?? '', 'base64url');
  // Bounds on what we read back, so a corrupted row cannot make us burn unbounded CPU or memory.
  if (
    cost === undefined ||
    blockSize === undefined ||
    parallelism === undefined ||
    !isPowerOfTwo(cost) ||
    cost > 2 ** 17 ||
    !inRange(blockSize, 1, 16) ||
    !inRange(parallelism, 1, 4) ||
    salt.length === 0 ||
    expected.length === 0
  ) {
    return false;
  }
  // scrypt needs about 128·N·r bytes; Node refuses above maxmem (32 MiB by default).
  const options = { N: cost, r: blockSize, p: parallelism, maxmem: 256 * cost * blockSize };
  const actual = await derive(secret, salt, expected.length, options);
  return timingSafeEqual(actual, expected);
}

export function newClientId(): string {
  return `cli_${randomBytes(16).toString('base64url')}`;
}

/** 256 random bits, 43 characters: within the token endpoint's 1–64. */
export function newClientSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** 256 random bits, 43 characters: within the contract's 10–2000, well above its 128 bits. */
export function newInvitationToken(): string {
  return randomBytes(32).toString('base64url');
}

// scrypt runs on libuv's thread pool (4 threads by default), which file and DNS work share:
// at most this many hashes at once, so a burst of token requests queues here instead of
// taking every thread.
const MAX_CONCURRENT_HASHES = 2;
let running = 0;
const waiting: (() => void)[] = [];

/** Hashes being computed and hashes queued for a slot, right now. */
export function hashesInFlight(): { running: number; waiting: number } {
  return { running, waiting: waiting.length };
}

async function derive(secret: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  if (running >= MAX_CONCURRENT_HASHES) await new Promise<void>((resolve) => waiting.push(resolve));
  else running += 1;
  try {
    return await new Promise((resolve, reject) => {
      scrypt(secret, salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
    });
  } finally {
    // Hand the slot straight to the next waiter, or free it.
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  }
}

function isPowerOfTwo(value: number): boolean {
  return Number.isSafeInteger(value) && value > 1 && (value & (value - 1)) === 0;
}

function inRange(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}
