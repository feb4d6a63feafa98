// Rate limits (rate-limiter-flexible): a budget of requests per organization on every secured
// operation, and a count of failed token requests per client_id against guessing secrets.
// In memory each process counts alone; with Redis every process shares one budget. When Redis
// is unreachable each process falls back to its own in-memory limits, says so once in the log,
// and never fails a request for it.
//
// The organization budget is rate-limiter-flexible's BurstyRateLimiter, its approximation of a
// token bucket: `perSecond` requests per 1 s window, and when those are used up, a burst
// allowance of `burst − perSecond` more per window of `burst / perSecond` seconds (the time a
// bucket of `burst` takes to refill). So an idle organization may send `burst` at once, then
// `perSecond` a second.
import { Redis } from 'ioredis';
import {
  BurstyRateLimiter,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { components } from '../../generated/openapi.js';
import { ProblemError } from '../domain/problems.js';
import type { Logger } from './logging.js';
import type { DeclaredHeaders } from './operation-types.js';

export interface RateLimitSettings {
  /** Sustained requests a second per organization; 0 turns the organization limit off. */
  perSecond: number;
  /** Requests an idle organization may send at once; at least `perSecond`. */
  burst: number;
  /** Failed token requests per client_id and minute; 0 turns the limit off. */
  tokenFailuresPerMinute: number;
}

export interface RateLimitsOptions extends RateLimitSettings {
  /** Shares the budgets between every process using this Redis; without it each process counts alone. */
  redisUrl?: string | undefined;
  /** Prefix of every Redis key, so several deployments can share one Redis. */
  redisKeyPrefix: string;
  log: Logger;
}

export interface RateLimits {
  /**
   * Charges one request of the organization `tokens` of its budget (its cost, request-cost.ts);
   * throws a 429 when it is over its budget.
   */
  organization(organizationId: string, tokens: number): Promise<void>;
  /**
   * Counts one token request for `clientId` before its secret is checked; throws a 429 when
   * the client_id is over its failures. Call the returned function when the request succeeded:
   * only failures stay counted.
   */
  tokenAttempt(clientId: string): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

const nothingToRefund = async (): Promise<void> => {};

/** The default of an app without limits (tests, and RATE_LIMIT_PER_SECOND=0 with TOKEN_FAILURES_PER_MINUTE=0). */
export const noRateLimits: RateLimits = {
  organization: async () => {},
  tokenAttempt: async () => nothingToRefund,
  close: async () => {},
};

// A Redis that hangs costs a request at most this long before the in-memory limit answers.
const REDIS_COMMAND_TIMEOUT_MS = 250;

const retrySeconds = (res: RateLimiterRes): number => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

/** The 429 of a limit, with every header of the contract's TooManyRequests response. */
function overLimit(detail: string, policy: string, name: string, seconds: number): ProblemError {
  const headers: Required<DeclaredHeaders<components['responses']['TooManyRequests']>> = {
    'Retry-After': String(seconds),
    'RateLimit-Policy': policy,
    RateLimit: `"${name}";r=0;t=${seconds}`,
  };
  return new ProblemError('rate_limited', detail, { headers });
}

export function createRateLimits(options: RateLimitsOptions): RateLimits {
  if (options.perSecond === 0 && options.tokenFailuresPerMinute === 0) return noRateLimits;
  const shared = options.redisUrl === undefined ? undefined : connectRedis(options.redisUrl, options.log);
  const redis = shared?.client;
  let reportedFailure = false;
  // Only RateLimiterRes means "over the limit"; anything else is a fault of the limiter, and a
  // limiter that fails lets the request through rather than failing it.
  const isOverLimit = (rejection: unknown): rejection is RateLimiterRes => {
    if (rejection instanceof RateLimiterRes) return true;
    if (!reportedFailure) {
      reportedFailure = true;
      options.log({
        time: new Date().toISOString(),
        level: 'error',
        message: 'rate limits: the limiter failed; requests pass unlimited',
        error: String(rejection),
      });
    }
    return false;
  };

  const limiter = (name: string, points: number, duration: number, blockInMemory: boolean): RateLimiterAbstract => {
    const memory = new RateLimiterMemory({ keyPrefix: name, points, duration });
    if (redis === undefined) return memory;
    return new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${options.redisKeyPrefix}:rate-limit:${name}`,
      points,
      duration,
      // Not connected: straight to the in-memory limit, no command queued or sent.
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory,
      // Once over, this process answers 429 from memory until the window ends, without asking Redis.
      ...(blockInMemory ? { inMemoryBlockOnConsumed: points + 1 } : {}),
    });
  };

  const burstPoints = options.burst - options.perSecond;
  const burstWindow = Math.ceil(options.burst / options.perSecond);
  const organizationLimiter = (() => {
    if (options.perSecond === 0) return undefined;
    const perSecond = limiter('organization', options.perSecond, 1, true);
    return burstPoints > 0
      ? new BurstyRateLimiter(perSecond, limiter('burst', burstPoints, burstWindow, true))
      : perSecond;
  })();
  const organizationPolicy = `"organization";q=${options.perSecond};w=1${burstPoints > 0 ? `, "burst";q=${burstPoints};w=${burstWindow}` : ''}`;
  const tokenLimiter =
    options.tokenFailuresPerMinute === 0
      ? undefined
      : limiter('token-failures', options.tokenFailuresPerMinute, 60, false);
  const tokenPolicy = `"token-failures";q=${options.tokenFailuresPerMinute};w=60`;

  return {
    async organization(organizationId, tokens) {
      if (organizationLimiter === undefined) return;
      try {
        // Never more than a second's budget, or a costly request could never pass at all.
        await organizationLimiter.consume(organizationId, Math.min(tokens, options.perSecond));
      } catch (rejection) {
        if (!isOverLimit(rejection)) return;
        const seconds = retrySeconds(rejection);
        const detail = `This organization is over its request rate; retry in ${seconds} s.`;
        throw overLimit(detail, organizationPolicy, 'organization', seconds);
      }
    },
    async tokenAttempt(clientId) {
      if (tokenLimiter === undefined) return nothingToRefund;
      try {
        await tokenLimiter.consume(clientId);
      } catch (rejection) {
        if (!isOverLimit(rejection)) return nothingToRefund;
        const seconds = retrySeconds(rejection);
        const detail = `Too many failed token requests for this client_id; retry in ${seconds} s.`;
        throw overLimit(detail, tokenPolicy, 'token-failures', seconds);
      }
      return async () => {
        await tokenLimiter.reward(clientId).catch(() => undefined);
      };
    },
    async close() {
      shared?.close();
    },
  };
}

/** The same limits, telling `rejected` of every request they refuse and under which budget (the metrics count them). */
export function countingRejections(
  limits: RateLimits,
  rejected: (scope: 'organization' | 'token-failures') => void,
): RateLimits {
  return {
    async organization(organizationId, tokens) {
      try {
        await limits.organization(organizationId, tokens);
      } catch (error) {
        rejected('organization');
        throw error;
      }
    },
    async tokenAttempt(clientId) {
      try {
        return await limits.tokenAttempt(clientId);
      } catch (error) {
        rejected('token-failures');
        throw error;
      }
    },
    close: () => limits.close(),
  };
}

/** `redis://user:secret@host:6379/0` → `host:6379`: never a password in the log. */
function redisAddress(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return 'REDIS_URL';
  }
}

/**
 * ioredis rather than node-redis: it is rate-limiter-flexible's default client (Lua script
 * defined once, no adapter flag), and it has the two options this needs, a per-command timeout
 * and an offline queue that can be turned off. It reconnects forever. Without the offline
 * queue a command fails at once while disconnected (and the limiter answers from memory)
 * instead of waiting for the connection. One log line
 * when the shared limits start or come back, one when they fall back: not one per request or
 * per reconnect attempt.
 */
function connectRedis(url: string, log: Logger): { client: Redis; close(): void } {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  const where = redisAddress(url);
  let state: 'connecting' | 'shared' | 'fallback' | 'closed' = 'connecting';
  const say = (level: string, message: string) => log({ time: new Date().toISOString(), level, message });
  redis.on('ready', () => {
    if (state !== 'shared') say('info', `rate limits: shared through Redis at ${where}`);
    state = 'shared';
  });
  const fallBack = (reason: string) => {
    if (state === 'fallback' || state === 'closed') return;
    state = 'fallback';
    say(
      'warn',
      `rate limits: Redis at ${where} is unavailable (${reason}); this process limits alone, in memory, until it is back`,
    );
  };
  redis.on('error', (error: Error) => fallBack(error.message));
  redis.on('close', () => fallBack('connection closed'));
  return {
    client: redis,
    close() {
      state = 'closed';
      redis.disconnect();
    },
  };
}
