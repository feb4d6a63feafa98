// With `validateResponses` (tests), every answer of an operation is checked against the
// contract before it leaves (status, media type, body and headers), so a handler that drifts
// from the contract fails whichever test happens to call it.
import type { OperationId } from '../contract/document.js';
import type { ContractValidators } from '../contract/validation.js';
import { ProblemError } from '../domain/problems.js';
import { problemReply, type Reply } from './problem.js';

export function checkResponse(
  validators: ContractValidators,
  operationId: OperationId,
  reply: Reply,
  report: (violation: string) => void,
): Reply {
  const violations = validators.response(operationId, reply);
  if (violations.length === 0) return reply;
  const detail = `The ${reply.status} response of ${operationId} breaks the contract: ${violations.map((v) => v.message).join('; ')}`;
  report(detail);
  return problemReply(new ProblemError('internal_error', detail));
}
