import type { operations } from '../../generated/openapi.js';
import type { OperationId, Scenario } from '../contract/document.js';
import type { Store } from '../store/database.js';

type Op<K extends OperationId> = operations[K];
type Part<T, Key extends string> = T extends { [P in Key]?: infer V } ? ([V] extends [never | undefined] ? Record<string, never> : NonNullable<V>) : Record<string, never>;
type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type BodyOf<K extends OperationId> = Op<K> extends { requestBody: { content: { 'application/json': infer B } } }
  ? B
  : Op<K> extends { requestBody?: { content: { 'application/json': infer B } } }
    ? B | undefined
    : undefined;

/** The operations that need no bearer token (`security: []` in the contract). */
export type PublicOperationId = 'createToken' | 'getHealth' | 'getReadiness';
export type SecuredOperationId = Exclude<OperationId, PublicOperationId>;

/** What a handler receives: parameters and body already validated against the contract. */
export interface OperationInput<K extends OperationId> {
  path: Part<Op<K>['parameters'], 'path'>;
  query: Part<Op<K>['parameters'], 'query'>;
  headers: Part<Op<K>['parameters'], 'header'>;
  body: BodyOf<K>;
}

type SuccessStatus = 200 | 201 | 202 | 204;

/**
 * Every success status the contract documents for an operation, each its own variant.
 * `bodyText`, when set, is sent instead of serializing `body` (it must be `body`'s JSON text):
 * an idempotent replay sends the stored bytes.
 */
export type OperationResult<K extends OperationId> = {
  [S in keyof Op<K>['responses'] & SuccessStatus]: {
    status: S;
    body: JsonOf<Op<K>['responses'][S]>;
    headers?: Record<string, string>;
    bodyText?: string;
  };
}[keyof Op<K>['responses'] & SuccessStatus];

/** Who is calling, as established by authentication and the scenario check. */
export interface Caller {
  /** The token's organization (= `Requester-Organization-ID`, cross-checked). */
  organizationId: string;
  clientId: string;
  /** `Target-Organization-ID`, lowercased. */
  targetOrganizationId: string;
  scenario: Scenario;
}

export interface PublicContext {
  store: Store;
  requestId: string;
}

export interface SecuredContext extends PublicContext {
  caller: Caller;
}

export type OperationHandler<K extends OperationId> = (
  input: OperationInput<K>,
  context: K extends PublicOperationId ? PublicContext : SecuredContext,
) => Promise<OperationResult<K>>;

/** One handler per operationId: leaving one out, or returning a status or body the contract does not allow, fails `tsc`. */
export type OperationHandlers = { [K in OperationId]: OperationHandler<K> };
