// Helpers of the contract suite: responses are judged by the contract's own schemas (never by
// hand-written expectations), and requests go through the typed client generated from it.
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from '../../generated/openapi.js';
import { loadContract, type ContractOperation, type OperationId } from '../../server/contract/document.js';
import { checkAnswer } from '../../conformance/check.js';

export type Fetch = (request: Request) => Promise<Response>;
export type ContractClient = Client<paths>;

// openapi-fetch reads every response it parses; it gets a copy, and the untouched original is
// kept here so validateResponse() can still read the body of `result.response`.
const originals = new WeakMap<Response, Response>();

/** The typed client of the contract; `fetch` lets a test run it in-process or through a proxy. */
export function createContractClient(
  baseUrl: string,
  fetch: Fetch = (request) => globalThis.fetch(request),
): ContractClient {
  return createClient<paths>({
    baseUrl,
    fetch: async (request) => {
      const response = await fetch(request);
      const copy = response.clone();
      originals.set(copy, response);
      return copy;
    },
  });
}

function contractOperation(operationId: OperationId): ContractOperation {
  const operation = loadContract().byId.get(operationId);
  if (!operation) throw new Error(`the contract has no operation ${operationId}`);
  return operation;
}

/** The one 2xx status an operation documents. */
export function successStatus(operationId: OperationId): number {
  const statuses = Object.keys(contractOperation(operationId).responses).filter((s) => s.startsWith('2'));
  if (statuses.length !== 1 || statuses[0] === undefined)
    throw new Error(`${operationId} documents ${statuses.length} success statuses`);
  return Number(statuses[0]);
}

export interface CheckedResponse {
  status: number;
  mediaType: string;
  /** The parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  /** Why the response does not conform to the contract; empty when it does. */
  problems: string[];
}

/**
 * Checks a response against what the contract documents for the operation: the status, the
 * media type, the body schema and the headers. Reads a clone, so the caller can still read the body.
 */
export async function validateResponse(operationId: OperationId, response: Response): Promise<CheckedResponse> {
  const { violations, ...answer } = await checkAnswer(operationId, originals.get(response) ?? response);
  return { ...answer, problems: violations.map((v) => v.message) };
}

/**
 * Prism serves every path at its root (it ignores `servers`), while the app serves the
 * contract under `/v1` and the probes (path-level `servers`) at the root. This maps the
 * former onto the latter, so one client and one set of paths work on every target.
 */
export function atContractPaths(fetch: Fetch): Fetch {
  const basePaths = new Map(loadContract().operations.map((o) => [o.path, o.basePath]));
  const templates = loadContract().operations.map((o) => ({
    pattern: new RegExp(`^${o.path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    basePath: o.basePath,
  }));
  return async (request) => {
    const url = new URL(request.url);
    const basePath = basePaths.get(url.pathname) ?? templates.find((t) => t.pattern.test(url.pathname))?.basePath ?? '';
    url.pathname = `${basePath}${url.pathname}`;
    const body = request.body === null ? undefined : await request.arrayBuffer();
    return fetch(new Request(url, { method: request.method, headers: request.headers, body, redirect: 'manual' }));
  };
}

/** The response headers the contract declares for an operation's status (names as written there). */
export function declaredResponseHeaders(operationId: OperationId, status: number): string[] {
  return Object.keys(contractOperation(operationId).responseHeaders[String(status)] ?? {});
}
