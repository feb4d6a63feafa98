import type { components } from '../generated/openapi.js';
import { HEADERS } from './routes.js';
import { sleep, type Transport } from './transport.js';

export interface RetryOptions {
  /** Attempts after the first one. Default 2. */
  retries?: number;
  /** The backoff ceiling of the first retry; it doubles with each retry. Default 200 ms. */
  baseDelayMs?: number;
  /**
   * No single wait is longer. A `Retry-After` asking for more is not retried: the response goes
   * back to the caller, who knows whether waiting that long is worth it. Default 10 s.
   */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { retries: 2, baseDelayMs: 200, maxDelayMs: 10_000 };

/** Answers that say "try again later" without the request having taken effect. */
const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);
/** The names of the headers a response of the contract declares (without openapi-typescript's index signature). */
type DeclaredHeaderName<R> = R extends { headers: infer H }
  ? keyof { [N in keyof H as string extends N ? never : N]: unknown }
  : never;
type Responses = components['responses'];
/** The contract's header on its 429 and 503 answers. */
const RETRY_AFTER = 'Retry-After' satisfies DeclaredHeaderName<Responses['TooManyRequests']> &
  DeclaredHeaderName<Responses['ServiceUnavailable']>;

/** Safe methods, and unsafe ones made safe by an `Idempotency-Key` the server deduplicates on. */
function isRepeatable(request: Request): boolean {
  return SAFE_METHODS.has(request.method) || request.headers.has(HEADERS.idempotencyKey);
}

/**
 * Retries network errors (a per-attempt timeout included) and 429/502/503/504 with exponential
 * backoff and full jitter, honouring `Retry-After`. The caller's abort is final: it ends the
 * current attempt and any wait.
 */
export function withRetries(next: Transport, options: Required<RetryOptions>, repeatable = isRepeatable): Transport {
  return async (request) => {
    const retries = repeatable(request) ? options.retries : 0;
    for (let attempt = 0; ; attempt += 1) {
      const last = attempt >= retries;
      let response: Response;
      try {
        // A clone per attempt: a body stream can be sent only once.
        response = await next(request.clone());
      } catch (error) {
        if (last || request.signal.aborted) throw error;
        await sleep(backoff(attempt, options), request.signal);
        continue;
      }
      if (last || !RETRY_STATUSES.has(response.status)) return response;
      const delay = retryAfterMs(response.headers.get(RETRY_AFTER)) ?? backoff(attempt, options);
      if (delay > options.maxDelayMs) return response;
      await response.body?.cancel();
      await sleep(delay, request.signal);
    }
  };
}

/** Full jitter: uniformly random below the exponential ceiling, so clients that failed together spread out. */
function backoff(attempt: number, options: Required<RetryOptions>): number {
  return Math.random() * Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
}

/** `Retry-After` is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Every HTTP-date form starts with the day's name; Date.parse alone would take "-1" for a year.
  const date = /^[A-Za-z]/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
