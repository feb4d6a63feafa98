// The contract fuzzer: for every operation, requests generated from its own parameter and body
// schemas (requests.ts), half of them mutated. Every answer must be below 500, of a status the
// operation documents, with a body and headers its schemas accept; a request the contract
// refuses must get a 4xx, and a 422 must name the failing inputs.
import fc from 'fast-check';
import { loadContract } from '../server/contract/document.js';
import { type CheckedAnswer, checkAnswer } from './check.js';
import { type CaseResult, type Finding, showRequest } from './findings.js';
import { type ConcreteRequest, concreteRequest, requestPlans } from './requests.js';
import type { Send, World } from './world.js';

export interface FuzzOptions {
  world: World;
  send: Send;
  seed: number;
  runs: number;
  /** A failure's fast-check path: replays that one request. */
  path?: string | undefined;
  /** Checks only the deployment's owner can make (the test's own database): what else is wrong with an answer. */
  extraChecks?: (request: ConcreteRequest, answer: CheckedAnswer) => Promise<Omit<Finding, 'request'>[]>;
  progress?: (done: number) => void;
}

export interface FuzzFinding extends Finding {
  /** fast-check's path of the case, to replay it with the same seed. */
  path: string;
  response: string;
  verdict: ConcreteRequest['verdict'];
  reasons: string[];
}

export interface FuzzReport {
  requests: number;
  statuses: Map<number, number>;
  verdicts: Record<ConcreteRequest['verdict'], number>;
  /** Valid requests answered 2xx: they reached the handlers, not only 404s. */
  validSuccesses: number;
  findings: FuzzFinding[];
  /** One case per operation: its generated requests and their findings. */
  cases: CaseResult[];
}

/** What the contract alone says is wrong with an answer to a generated request. */
function contractFindings(request: ConcreteRequest, answer: CheckedAnswer): Omit<Finding, 'request'>[] {
  const operationId = request.operation.operationId;
  const { status } = answer;
  const found: Omit<Finding, 'request'>[] = answer.violations.map((v) => ({ operationId, ...v }));
  if (status >= 500) found.push({ operationId, check: 'no 5xx', message: `answered ${status}` });
  if (request.verdict === 'invalid' && (status < 400 || status >= 500))
    found.push({
      operationId,
      check: 'invalid request refused',
      message: `a request the contract refuses (${request.reasons.join(', ')}) answered ${status}`,
    });
  const body = answer.body as { code?: string; errors?: unknown[] } | undefined;
  if (status === 422 && body?.code === 'validation_failed' && (body.errors ?? []).length === 0)
    found.push({ operationId, check: 'body schema', message: '422 validation_failed names no failing input' });
  return found;
}

export async function runFuzzer(options: FuzzOptions): Promise<FuzzReport> {
  const { world, send } = options;
  const report: FuzzReport = {
    requests: 0,
    statuses: new Map(),
    verdicts: { valid: 0, invalid: 0, unknown: 0 },
    validSuccesses: 0,
    findings: [],
    cases: [],
  };
  const perOperation = new Map(loadContract().operations.map((o) => [o.operationId as string, 0]));
  const property = fc.asyncProperty(requestPlans(), async (plan) => {
    const path = options.path ?? String(report.requests);
    report.requests++;
    const request = concreteRequest(plan, world, Date.now());
    const response = await send(request.url, request.init);
    const answer = await checkAnswer(request.operation.operationId, response);
    const found = [...contractFindings(request, answer), ...((await options.extraChecks?.(request, answer)) ?? [])];
    const { status } = answer;
    if (status < 300) world.harvest(request.caller, answer.body);
    report.statuses.set(status, (report.statuses.get(status) ?? 0) + 1);
    report.verdicts[request.verdict]++;
    if (request.verdict === 'valid' && status < 300) report.validSuccesses++;
    perOperation.set(plan.operationId, (perOperation.get(plan.operationId) ?? 0) + 1);
    const shown = { ...showRequest(request.url, request.init), method: request.init.method };
    const text = JSON.stringify(answer.body) ?? '';
    for (const f of found)
      report.findings.push({
        ...f,
        request: shown,
        path,
        response: `${status} ${text.slice(0, 400)}`,
        verdict: request.verdict,
        reasons: request.reasons,
      });
    options.progress?.(report.requests);
  });
  await fc.assert(property, {
    seed: options.seed,
    numRuns: options.runs,
    ...(options.path === undefined ? {} : { path: options.path }),
  });
  for (const [operationId, count] of perOperation)
    report.cases.push({
      suite: 'fuzz',
      name: `${operationId}: ${count} generated requests`,
      findings: report.findings.filter((f) => f.operationId === operationId),
    });
  return report;
}
