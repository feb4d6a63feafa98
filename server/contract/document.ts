// The contract as the server reads it at run time: the operation table that `npm run generate`
// writes from openapi.yaml (generated/operations.ts). Nothing here parses YAML or restates a fact.
import { readFileSync } from 'node:fs';
import { contract, operations as table, schemas } from '../../generated/operations.js';

export type OperationId = keyof typeof table;
export type Scenario = (typeof contract.scenarios)[number];
type HttpMethod = (typeof table)[OperationId]['method'];
export type JsonSchema = Record<string, unknown>;

export interface ContractParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: JsonSchema;
}

export interface ContractHeader {
  required: boolean;
  schema: JsonSchema;
}

export interface ContractOperation {
  operationId: OperationId;
  method: HttpMethod;
  /** The contract's path template, e.g. `/host-connections/{host_org_id}`. */
  path: string;
  /** From the contract's `servers` (path-level ones for the probes): `/v1`, or `` for the root. */
  basePath: string;
  parameters: ContractParameter[];
  /** Request body schemas by media type; empty when the operation takes no body. */
  requestBody: { required: boolean; content: Record<string, JsonSchema> };
  /** Response schemas by status, then media type; a status without a body has no media type. */
  responses: Record<string, Record<string, JsonSchema>>;
  /** Response headers by status, then name. */
  responseHeaders: Record<string, Record<string, ContractHeader>>;
  /** Empty for operations with `security: []`. */
  scenarios: Scenario[];
  secured: boolean;
  /** Whether the operation takes an `Idempotency-Key` header. */
  idempotencyKey: boolean;
}

export interface Contract {
  operations: ContractOperation[];
  byId: Map<OperationId, ContractOperation>;
  /** components/schemas, which operation schemas refer to with `$ref: '#/components/schemas/…'`. */
  schemas: Record<string, JsonSchema>;
  /** A request body over this many bytes answers 413. */
  bodyLimitBytes: number;
}

type TableOperation = (typeof table)[OperationId];

function toOperation(op: TableOperation): ContractOperation {
  const responses: ContractOperation['responses'] = {};
  const responseHeaders: ContractOperation['responseHeaders'] = {};
  for (const [status, response] of Object.entries(op.responses)) {
    responses[status] = response.content;
    responseHeaders[status] = response.headers;
  }
  return {
    operationId: op.operationId,
    method: op.method,
    path: op.path,
    basePath: op.basePath,
    parameters: op.parameters as readonly ContractParameter[] as ContractParameter[],
    requestBody: op.requestBody ?? { required: false, content: {} },
    responses,
    responseHeaders,
    scenarios: [...op.scenarios],
    secured: op.secured,
    idempotencyKey: op.idempotencyKey,
  };
}

let cached: Contract | undefined;

/** The contract's operations, built once per process from the generated table. */
export function loadContract(): Contract {
  if (cached === undefined) {
    const operations = Object.values(table).map(toOperation);
    cached = {
      operations,
      byId: new Map(operations.map((o) => [o.operationId, o])),
      schemas: schemas as unknown as Record<string, JsonSchema>,
      bodyLimitBytes: contract.bodyLimitBytes,
    };
  }
  return cached;
}

/** The whole contract as JSON (generated/openapi.json), descriptions and examples included. */
export function contractDocument(): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL('../../generated/openapi.json', import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
}

/** openapi.yaml as it is, comments included (`npm run build` copies it into dist/ beside generated/). */
export function contractYaml(): string {
  return readFileSync(new URL('../../openapi.yaml', import.meta.url), 'utf8');
}
