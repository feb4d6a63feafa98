// The handler map's types, read from the generated contract: what each operation receives
// (parameters with their defaults filled in) and every response it may give (status, body or
// none, media type, headers).
import type { operations } from '../../generated/openapi.js';
import type { operations as table } from '../../generated/operations.js';
import type { OperationId, Scenario } from '../contract/document.js';
import type { Part, ValidatedQuery } from '../contract/inputs.js';
import type { Store } from '../store/database.js';

type Op<K extends OperationId> = operations[K];
type BodyOf<K extends OperationId> =
  Op<K> extends { requestBody: { content: { 'application/json': infer B } } }
    ? B
    : Op<K> extends { requestBody?: { content: { 'application/json': infer B } } }
      ? B | undefined
      : undefined;

/** The operations that need no bearer token (`security: []` in the contract). */
type PublicOperationId = { [K in OperationId]: (typeof table)[K]['secured'] extends false ? K : never }[OperationId];

/** What a handler receives: parameters and body already validated against the contract. */
export interface OperationInput<K extends OperationId> {
  path: Part<Op<K>['parameters'], 'path'>;
  query: ValidatedQuery<K>;
  headers: Part<Op<K>['parameters'], 'header'>;
  body: BodyOf<K>;
}

type SuccessStatus = 200 | 201 | 202 | 203 | 204 | 206;
/** The response headers the contract declares (openapi-typescript adds an index signature). */
export type DeclaredHeaders<R> = R extends { headers: infer H }
  ? { [N in keyof H as string extends N ? never : N]?: string }
  : never;
/**
 * A JSON body is an object to serialize, unless `bodyText` gives its JSON text to send as it
 * is (an idempotent replay sends the stored bytes); any other media type is sent as the string given.
 */
type Variant<S, R> = R extends { content: infer C }
  ? {
      [M in keyof C]: M extends 'application/json'
        ? { status: S; body: C[M]; headers?: DeclaredHeaders<R>; bodyText?: string }
        : { status: S; mediaType: M; body: string; headers?: DeclaredHeaders<R> };
    }[keyof C]
  : { status: S; headers?: DeclaredHeaders<R> };

/** Every success response the contract documents for an operation, each its own variant; one without content has no body. */
export type OperationResult<K extends OperationId> = {
  [S in keyof Op<K>['responses'] & SuccessStatus]: Variant<S, Op<K>['responses'][S]>;
}[keyof Op<K>['responses'] & SuccessStatus];

/** Who is calling, as established by authentication and the scenario check. */
export interface Requester {
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
  /**
   * The request's `Authorization` header, for an operation with a security scheme of its own
   * that its handler checks (`getMetrics`' metrics token). Secured operations use `requester`.
   */
  authorization: string | undefined;
}

export interface SecuredContext extends PublicContext {
  requester: Requester;
}

export type OperationHandler<K extends OperationId> = (
  input: OperationInput<K>,
  context: K extends PublicOperationId ? PublicContext : SecuredContext,
) => Promise<OperationResult<K>>;

/** One handler per operationId: leaving one out, or returning a status or body the contract does not allow, fails `tsc`. */
export type OperationHandlers = { [K in OperationId]: OperationHandler<K> };
