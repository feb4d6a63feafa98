// With `validateResponses` (tests), every answer of an operation is checked against the
// contract before it leaves (status, media type, body and headers), so a handler that drifts
// from the contract fails whichever test happens to call it.
import type { OperationId } from '../contract/document.js';
import type { ContractValidators } from '../contract/validation.js';
import { ProblemError } from '../domain/problems.js';
import { problemOutcome, type Outcome } from './problem.js';

export function checkResponse(
  validators: ContractValidators,
  operationId: OperationId,
  outcome: Outcome,
  report: (violation: string) => void,
): Outcome {
  const violations = validators.response(operationId, outcome);
  if (violations.length === 0) return outcome;
  const detail = `The ${outcome.status} response of ${operationId} breaks the contract: ${violations.join('; ')}`;
  report(detail);
  return problemOutcome(new ProblemError('internal_error', detail));
}
