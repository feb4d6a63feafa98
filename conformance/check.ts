// An answer judged by the contract alone: the operation's documented statuses, media types,
// body schemas and headers (server/contract/response-check.ts), read from a real Response.
import { loadContract, type OperationId } from '../server/contract/document.js';
import type { ResponseViolation } from '../server/contract/response-check.js';
import { compileValidators, type ContractValidators } from '../server/contract/validation.js';

let validators: ContractValidators | undefined;

/** The contract's validators, compiled once per process: requests' verdicts and the response check. */
export function contractValidators(): ContractValidators {
  validators ??= compileValidators(loadContract());
  return validators;
}

export interface CheckedAnswer {
  status: number;
  mediaType: string;
  /** The parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  /** Where the answer breaks the contract; empty when it conforms. */
  violations: ResponseViolation[];
}

const isJson = (mediaType: string): boolean => mediaType === 'application/json' || mediaType.endsWith('+json');

/** Reads a clone, so the caller can still read the body. */
export async function checkAnswer(operationId: OperationId, response: Response): Promise<CheckedAnswer> {
  const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const text = await response.clone().text();
  let body: unknown = text === '' ? undefined : text;
  if (text !== '' && isJson(mediaType)) {
    try {
      body = JSON.parse(text);
    } catch {
      const violation: ResponseViolation = { check: 'body schema', message: `the ${mediaType} body is not JSON` };
      return { status: response.status, mediaType, body, violations: [violation] };
    }
  }
  const violations = contractValidators().response(operationId, {
    status: response.status,
    // An empty body has no media type to judge (Prism's proxy labels a 204 text/plain).
    mediaType: text === '' ? undefined : mediaType || undefined,
    body,
    headers: Object.fromEntries(response.headers),
  });
  return { status: response.status, mediaType, body, violations };
}
