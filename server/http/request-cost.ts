// What one request costs of its organization's rate-limit budget, in tokens: list requests
// that make the database work harder pay more, so that the flood a budget allows costs about
// the same database time whatever its shape (docs/benchmarks.md, "List costs"). The numbers are
// the contract's `x-rate-limit-costs`. Judged on the raw query, before it is validated: the
// budget is charged before anything else is looked at (router.ts), and an invalid value costs
// what a valid one would.
import { contract, operations } from '../../generated/operations.js';
import type { OperationId } from '../contract/document.js';

const costs = contract.rateLimitCosts;

// The operations that take a query parameter the costs price; any other request costs `request`.
const PRICED_PARAMETERS = new Set(['search_text', 'offset']);
const priced = new Set<string>(
  Object.values(operations)
    .filter((operation) =>
      (operation.parameters as readonly { name: string; in: string }[]).some(
        (parameter) => parameter.in === 'query' && PRICED_PARAMETERS.has(parameter.name),
      ),
    )
    .map((operation) => operation.operationId),
);

/** The offset a query names, or 0 when it names none or nothing that is a number. */
function offsetOf(values: string[] | undefined): number {
  const offset = Number(values?.[0]);
  return Number.isFinite(offset) && offset > 0 ? offset : 0;
}

/**
 * A search reads every row of the list when its text gives the trigram index nothing to narrow
 * by (no three letters or digits in a row, e.g. `%_%_`) or matches every row, and it compares
 * each row with the whole text: it is charged that worst case, which grows with the text.
 */
function searchCost(text: string | undefined): number {
  if (text === undefined || text === '') return 0;
  return costs.searchText + Math.floor(text.length / costs.searchTextCharsPerToken);
}

/**
 * What a request of `operationId` costs; its raw query (`query()`) is read only when the
 * operation takes a priced parameter, so a GET by id parses no query string for it.
 */
export function operationCost(operationId: OperationId, query: () => Record<string, string[]>): number {
  return priced.has(operationId) ? requestCost(query()) : costs.request;
}

/** The cost of a request with this raw query, of an operation that takes the priced parameters. */
export function requestCost(query: Record<string, string[]>): number {
  const search = searchCost(query.search_text?.[0]);
  const offset = Math.min(costs.offsetMaxTokens, Math.floor(offsetOf(query.offset) / costs.offsetRowsPerToken));
  return costs.request + search + offset;
}
