import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { components } from '../../generated/openapi.js';
import type { Contract, ContractOperation, ContractParameter, JsonSchema, OperationId } from './document.js';

export type ValidationError = components['schemas']['ValidationError'];
export type InputLocation = ValidationError['location'];

/** Raw request parts as they came over HTTP (header names in any case). */
export interface RawRequest {
  path: Record<string, string>;
  query: Record<string, string[]>;
  headers: Record<string, string | undefined>;
}

/** Validated, coerced (query numbers and booleans) and defaulted parameters. */
export interface ValidatedParameters {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  header: Record<string, unknown>;
}

const ROOT_ID = 'https://connections.example.com/openapi.json';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function createAjv(document: Record<string, unknown>, coerce: boolean): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, coerceTypes: coerce ? 'array' : false, useDefaults: coerce });
  addFormats.default(ajv);
  // ajv-formats' uuid also accepts `urn:uuid:...`, which PostgreSQL refuses: keep it strict.
  ajv.addFormat('uuid', UUID);
  for (const keyword of ['components', 'example']) ajv.addKeyword({ keyword });
  const components = document.components as Record<string, unknown>;
  ajv.addSchema({ $id: ROOT_ID, components: { schemas: components.schemas } });
  return ajv;
}

/** Schemas in the contract point at `#/components/...`; re-anchor them on the registered root. */
function anchored(schema: JsonSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\//g, `"$ref":"${ROOT_ID}#/`)) as JsonSchema;
}

function objectSchema(params: ContractParameter[], additional: boolean): JsonSchema {
  return {
    type: 'object',
    additionalProperties: additional,
    properties: Object.fromEntries(params.map((p) => [p.name, anchored(p.schema)])),
    required: params.filter((p) => p.required).map((p) => p.name),
  };
}

function isArraySchema(schema: JsonSchema): boolean {
  return schema.type === 'array';
}

function toValidationErrors(location: InputLocation, errors: ErrorObject[] | null | undefined, body: boolean): ValidationError[] {
  const seen = new Map<string, ValidationError>();
  for (const e of errors ?? []) {
    const params = e.params as { missingProperty?: string; additionalProperty?: string };
    const child = params.missingProperty ?? params.additionalProperty;
    let pointer = e.instancePath + (child === undefined ? '' : `/${child}`);
    if (!body) pointer = pointer.replace(/^\//, '').split('/')[0] ?? '';
    const message = params.additionalProperty !== undefined ? 'is not allowed' : (e.message ?? 'is invalid');
    if (!seen.has(pointer)) seen.set(pointer, { location, pointer: body ? pointer || '/' : pointer, message });
  }
  return [...seen.values()];
}

interface OperationValidators {
  path: ValidateFunction;
  query: ValidateFunction;
  header: ValidateFunction;
  queryArrays: Set<string>;
  headerParams: ContractParameter[];
  body: Map<string, ValidateFunction>;
  responses: Map<string, ValidateFunction>;
}

export interface ContractValidators {
  /** Validates path, query and header parameters; fills in defaults. */
  parameters(operationId: OperationId, raw: RawRequest): { value: ValidatedParameters; errors: ValidationError[] };
  /** Validates a parsed body against the schema of its media type. */
  body(operationId: OperationId, mediaType: string, body: unknown): ValidationError[];
  /** Validates a response body; returns Ajv's messages (empty when it conforms). */
  response(operationId: OperationId, status: number, mediaType: string, body: unknown): string[];
  /** The media types an operation's request body accepts. */
  bodyMediaTypes(operationId: OperationId): string[];
}

/** Compiles every request and response schema of the contract once. */
export function compileValidators(contract: Contract): ContractValidators {
  const params = createAjv(contract.document, true);
  const strict = createAjv(contract.document, false);
  const byId = new Map<OperationId, OperationValidators>();
  const compileOperation = (op: ContractOperation): OperationValidators => {
    const at = (where: ContractParameter['in']) => op.parameters.filter((p) => p.in === where);
    const responses = new Map<string, ValidateFunction>();
    for (const [status, media] of Object.entries(op.responses)) {
      for (const [mediaType, schema] of Object.entries(media)) responses.set(`${status} ${mediaType}`, strict.compile(anchored(schema)));
    }
    return {
      path: params.compile(objectSchema(at('path'), false)),
      // Unknown query parameters are refused: fail closed rather than silently ignore a typo.
      query: params.compile(objectSchema(at('query'), false)),
      // Requests carry many other headers; only the contract's are checked.
      header: params.compile(objectSchema(at('header'), true)),
      queryArrays: new Set(at('query').filter((p) => isArraySchema(p.schema)).map((p) => p.name)),
      headerParams: at('header'),
      body: new Map(Object.entries(op.requestBody.content).map(([type, schema]) => [type, strict.compile(anchored(schema))])),
      responses,
    };
  };
  for (const op of contract.operations) byId.set(op.operationId, compileOperation(op));
  const get = (operationId: OperationId): OperationValidators => {
    const v = byId.get(operationId);
    if (!v) throw new Error(`unknown operation ${operationId}`);
    return v;
  };

  return {
    parameters(operationId, raw) {
      const v = get(operationId);
      const path: Record<string, unknown> = { ...raw.path };
      const query: Record<string, unknown> = {};
      for (const [name, values] of Object.entries(raw.query)) query[name] = v.queryArrays.has(name) || values.length > 1 ? values : values[0];
      const header: Record<string, unknown> = {};
      const lower = new Map(Object.entries(raw.headers).map(([k, value]) => [k.toLowerCase(), value]));
      for (const p of v.headerParams) {
        const value = lower.get(p.name.toLowerCase());
        if (value !== undefined) header[p.name] = value;
      }
      const errors = [
        ...(v.path(path) ? [] : toValidationErrors('path', v.path.errors, false)),
        ...(v.query(query) ? [] : toValidationErrors('query', v.query.errors, false)),
        ...(v.header(header) ? [] : toValidationErrors('header', v.header.errors, false)),
      ];
      return { value: { path, query, header }, errors };
    },
    body(operationId, mediaType, body) {
      const validate = get(operationId).body.get(mediaType);
      if (!validate) throw new Error(`${operationId} takes no ${mediaType} body`);
      return validate(body) ? [] : toValidationErrors('body', validate.errors, true);
    },
    response(operationId, status, mediaType, body) {
      const validate = get(operationId).responses.get(`${status} ${mediaType}`);
      if (!validate) return [`${operationId} documents no ${status} ${mediaType} response`];
      return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
    },
    bodyMediaTypes(operationId) {
      return [...get(operationId).body.keys()];
    },
  };
}
