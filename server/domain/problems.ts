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
    super(detail);
    this.name = 'ProblemError';
    this.code = code;
    this.errors = options.errors ?? [];
    this.headers = options.headers ?? {};
  }
}
