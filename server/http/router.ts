// One route per contract operation, all running the same pipeline. The order of its checks is
// part of the API, because it decides what a caller can learn:
//   1. no operation at this path: 404 route_not_found; one, but not for this method: 405 + Allow
//   2. secured operation (one that needs the API's token: the table's `secured`): the bearer
//      token (401 invalid_token), before anything about the inputs, so a caller without a
//      valid token learns nothing about them; then the token organization's rate limit
//      (429 rate_limited), charged the request's cost (request-cost.ts), before anything else costs
//   3. the body envelope: 413 payload_too_large, 415 unsupported_media_type, 400 malformed_json
//   4. Requester-/Target-Organization-ID malformed or missing: 422 listing every failing input
//      (they are needed for step 5)
//   5. secured operation: 403 requester_mismatch, then the scenario (403 not_connected,
//      403 scenario_not_allowed), before the rest of the inputs are judged
//   6. any other failing input: 422 validation_failed listing every one (path, query, header, body)
//   7. the handler (POST /oauth2/token: first the failed-token limit of its client_id, 429;
//      `getMetrics` checks its own token, the operator's METRICS_TOKEN)
import type { Context, Hono } from 'hono';
import type { operations } from '../../generated/openapi.js';
import { contract as settings } from '../../generated/operations.js';
import type { Contract, ContractOperation } from '../contract/document.js';
import type { ContractValidators, ValidationError } from '../contract/validation.js';
import { checkRequester, resolveScenario } from '../domain/access.js';
import { ProblemError } from '../domain/problems.js';
import type { TokenIssuer } from '../domain/tokens.js';
import type { Store } from '../store/database.js';
import { authenticateRequest } from './auth.js';
import { CLIENT_CLOSED_STATUS, errorLine, type AppEnv, type Logger } from './logging.js';
import type { OperationHandlers, PublicContext, SecuredContext } from './operation-types.js';
import { errorReply, toResponse, type Reply } from './problem.js';
import type { RateLimits } from './rate-limits.js';
import { operationCost } from './request-cost.js';
import { ClientClosedError, readOperationRequest } from './request.js';
import { checkResponse } from './response-check.js';

export interface OperationServices {
  store: Store;
  handlers: OperationHandlers;
  validators: ContractValidators;
  tokens: TokenIssuer;
  rateLimits: RateLimits;
  validateResponses: boolean;
  log: Logger;
}

// The handler map is typed per operation; the pipeline calls whichever the route names, so it
// sees them all through this one shape (checked by `OperationHandlers` where they are defined).
type AnyHandler = (
  input: { path: unknown; query: unknown; headers: unknown; body: unknown },
  context: PublicContext | SecuredContext,
) => Promise<{
  status: number;
  mediaType?: string;
  body?: unknown;
  bodyText?: string;
  headers?: Record<string, string>;
}>;

// The organization headers every secured operation declares (the contract's parameter components).
type SecuredHeaders = keyof operations['getOrganization']['parameters']['header'];
const REQUESTER_HEADER = settings.headers.requesterOrganizationId satisfies SecuredHeaders;
const TARGET_HEADER = settings.headers.targetOrganizationId satisfies SecuredHeaders;
const ORGANIZATION_HEADERS = new Set([REQUESTER_HEADER, TARGET_HEADER].map((name) => name.toLowerCase()));

function invalidInput(errors: ValidationError[]): ProblemError {
  return new ProblemError(
    'validation_failed',
    `${errors.length} input${errors.length === 1 ? ' is' : 's are'} invalid.`,
    {
      errors,
    },
  );
}

/** The media type of a handler's result: JSON unless it names another; none when it has no body. */
function resultMediaType(result: Awaited<ReturnType<AnyHandler>>): string | undefined {
  if (result.mediaType !== undefined) return result.mediaType;
  return 'body' in result ? 'application/json' : undefined;
}

async function runOperation(
  operation: ContractOperation,
  c: Context<AppEnv>,
  services: OperationServices,
): Promise<Reply> {
  const { store, validators } = services;
  const identity = operation.secured
    ? await authenticateRequest(c.req.header('authorization'), services.tokens, store.activeClients)
    : undefined;
  if (identity !== undefined)
    await services.rateLimits.organization(
      identity.organizationId,
      operationCost(operation.operationId, () => c.req.queries()),
    );
  const input = await readOperationRequest(validators, operation, {
    request: c.req.raw,
    path: c.req.param(),
    query: c.req.queries(),
  });
  if (input.errors.some((e) => e.location === 'header' && ORGANIZATION_HEADERS.has(e.pointer.toLowerCase())))
    throw invalidInput(input.errors);

  let context: PublicContext | SecuredContext = {
    store,
    requestId: c.get('requestId'),
    authorization: c.req.header('authorization'),
  };
  if (identity !== undefined) {
    // Both headers passed validation (the contract requires them as uuids on every secured operation).
    checkRequester(c.req.header(REQUESTER_HEADER) ?? '', identity);
    const target = (c.req.header(TARGET_HEADER) ?? '').toLowerCase();
    const scenario = await resolveScenario(store.db, operation.scenarios, identity.organizationId, target);
    context = { ...context, requester: { ...identity, targetOrganizationId: target, scenario } };
  }
  if (input.errors.length > 0) throw invalidInput(input.errors);

  const handler = services.handlers[operation.operationId] as unknown as AnyHandler;
  const { path, query, header } = input.parameters;
  const result = await handler({ path, query, headers: header, body: input.body }, context);
  return {
    status: result.status,
    mediaType: resultMediaType(result),
    body: result.body,
    bodyText: result.bodyText,
    headers: result.headers ?? {},
  };
}

/** `/host-connections/{host_org_id}` → `/host-connections/:host_org_id`. */
function honoPath(operation: ContractOperation): string {
  return operation.basePath + operation.path.replace(/\{([^}]+)\}/g, ':$1');
}

/** The route templates of the contract with their methods, to tell 405 from 404. */
function routeTable(contract: Contract): { template: string; pattern: RegExp; methods: string[] }[] {
  const byTemplate = new Map<string, string[]>();
  for (const op of contract.operations) {
    const template = op.basePath + op.path;
    byTemplate.set(template, [...(byTemplate.get(template) ?? []), op.method.toUpperCase()]);
  }
  return [...byTemplate].map(([template, methods]) => {
    const source = template
      .split(/\{[^}]+\}/)
      .map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]+');
    // Hono answers HEAD with the GET route.
    const allowed = methods.includes('GET') ? [...methods, 'HEAD'] : methods;
    return { template, pattern: new RegExp(`^${source}$`), methods: allowed.sort() };
  });
}

export function registerOperations(app: Hono<AppEnv>, contract: Contract, services: OperationServices): void {
  const report = (c: Context<AppEnv>) => (error: unknown) => services.log(errorLine(c.get('requestId'), error));

  for (const operation of contract.operations) {
    const template = operation.basePath + operation.path;
    app.on(operation.method.toUpperCase(), honoPath(operation), async (c) => {
      c.set('route', template);
      c.set('operationId', operation.operationId);
      let reply: Reply;
      try {
        reply = await runOperation(operation, c, services);
      } catch (error) {
        // No one is left to answer; not a problem of the contract, nor an error of ours.
        if (error instanceof ClientClosedError) return new Response(null, { status: CLIENT_CLOSED_STATUS });
        reply = errorReply(error, report(c));
      }
      if (services.validateResponses) {
        reply = checkResponse(services.validators, operation.operationId, reply, (violation) =>
          report(c)(new Error(violation)),
        );
      }
      return toResponse(reply);
    });
  }

  const routes = routeTable(contract);
  app.notFound((c) => {
    const route = routes.find((r) => r.pattern.test(c.req.path));
    if (route === undefined) {
      return toResponse(errorReply(new ProblemError('route_not_found', 'No operation at this path.'), report(c)));
    }
    c.set('route', route.template);
    const allow = route.methods.join(', ');
    const problem = new ProblemError('method_not_allowed', `${c.req.method} is not allowed here; use ${allow}.`, {
      headers: { Allow: allow },
    });
    return toResponse(errorReply(problem, report(c)));
  });
  app.onError((error, c) => toResponse(errorReply(error, report(c))));
}
