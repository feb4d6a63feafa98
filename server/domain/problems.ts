import type { components } from '../../generated/openapi.js';
import type { ValidationError } from '../contract/validation.js';

export type ErrorCode = components['schemas']['ErrorCode'];

/**
 * The one error a client's mistake becomes, named by the contract's `ErrorCode`: the domain
 * and the HTTP layer throw it alike, and only server/http/problem.ts turns it into a response.
 * `headers` are the response headers the problem needs (a 401's challenge, a 405's `Allow`, a
 * 429's or 503's `Retry-After`).
 */
export class ProblemError extends Error {
  readonly code: ErrorCode;
  readonly errors: ValidationError[];
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    detail: string,
    options: { errors?: ValidationError[]; headers?: Record<string, string> } = {},
  ) {
    // A problem is an answer, not a fault to trace: no stack, whose capture is most of what an
    // Error costs to make, and every refused request of a flood (a 429) would pay it.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(detail);
    Error.stackTraceLimit = stackTraceLimit;
    this.name = 'ProblemError';
    this.code = code;
    this.errors = options.errors ?? [];
    this.headers = options.headers ?? {};
  }
}
