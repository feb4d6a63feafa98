import type { Problem } from './types.js';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * True for an RFC 9457 problem body of this API. The codes are not listed again here (the contract
 * owns them): a server newer than this client may add one, and it is still a problem.
 */
export function isProblem(value: unknown): value is Problem {
  return (
    isRecord(value) &&
    typeof value.type === 'string' &&
    typeof value.title === 'string' &&
    typeof value.status === 'number' &&
    typeof value.detail === 'string' &&
    typeof value.code === 'string' &&
    Array.isArray(value.errors)
  );
}

/**
 * Thrown where a call cannot hand back `{ error }` as a value: by `paginate` on a failed page, and
 * by any call whose access token could not be obtained (the token endpoint's problem, e.g.
 * `invalid_client`). `problem` is undefined when the body was not a problem (a proxy's HTML page).
 */
export class ConnectionsApiError extends Error {
  override readonly name = 'ConnectionsApiError';

  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
    context: string,
  ) {
    super(`${context}: HTTP ${status}${problem ? ` ${problem.code}: ${problem.detail}` : ''}`);
  }
}
