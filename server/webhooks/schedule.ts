// When a failed delivery is tried again: after about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and
// 10 h (each ±10 %, so that the retries of many deliveries failed together spread out), then
// never. A receiver's `Retry-After` (on 429 or 503) is honoured: never sooner than it asks.
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
export const RETRY_DELAYS_MS = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR];
const JITTER = 0.1;
/** A Retry-After longer than the longest step is held to it: a receiver cannot park a delivery for ever. */
const MAX_RETRY_AFTER_MS = 10 * HOUR;

/** `Retry-After` as milliseconds: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now: Date): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const text = header.trim();
  const ms = /^[0-9]+$/.test(text) ? Number(text) * SECOND : Date.parse(text) - now.getTime();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS) : undefined;
}

/**
 * The wait before the next attempt, after `attempts` attempts failed (1 for the first);
 * undefined once every retry is spent. `random` is in [0, 1).
 */
export function retryDelayMs(attempts: number, random: number, retryAfter: number | undefined): number | undefined {
  const step = RETRY_DELAYS_MS[attempts - 1];
  if (step === undefined) return undefined;
  const jittered = Math.round(step * (1 - JITTER + 2 * JITTER * random));
  return Math.max(jittered, retryAfter ?? 0);
}
