// Validators compiled once from the contract's own schemas: request parameters (coerced from
// strings, defaults filled in), request bodies, and responses (status, media type, body, headers).
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { components } from '../../generated/openapi.js';
import type {
  Contract,
  ContractHeader,
  ContractOperation,
  ContractParameter,
  JsonSchema,
  OperationId,
} from './document.js';

/** One failing input, as problems list them in `errors`. */
export type ValidationError = components['schemas']['ValidationError'];
type InputLocation = ValidationError['location'];

/** Raw request parts as they came over HTTP (header names in any case). */
interface RawRequest {
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

/** A response as it leaves: `body` is absent when the response has none. */
interface ResponseToCheck {
  status: number;
  mediaType?: string | undefined;
  body?: unknown;
  headers: Record<string, string>;
}

const ROOT_ID = 'https://connections.example.com/openapi.json';

function createAjv(contract: Contract, coerce: boolean): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    coerceTypes: coerce ? 'array' : false,
    useDefaults: coerce,
  });
  addFormats.default(ajv);
  // ajv-formats' uuid also accepts `urn:uuid:...`, which PostgreSQL refuses: the contract's own
  // Uuid pattern is the format, so Prism, the client types and the server agree.
  const uuid = contract.schemas.Uuid?.pattern;
  if (typeof uuid !== 'string') throw new Error('the contract has no Uuid pattern');
  ajv.addFormat('uuid', new RegExp(uuid));
  ajv.addKeyword({ keyword: 'components' });
  ajv.addSchema({ $id: ROOT_ID, components: { schemas: contract.schemas } });
  return ajv;
}

/** Schemas in the contract point at `#/components/...`; re-anchor them on the registered root. */
function anchored(schema: JsonSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\//g, `"$ref":"${ROOT_ID}#/`)) as JsonSchema;
}

function objectSchema(
  entries: { name: string; required: boolean; schema: JsonSchema }[],
  additional: boolean,
): JsonSchema {
  return {
    type: 'object',
    additionalProperties: additional,
    properties: Object.fromEntries(entries.map((p) => [p.name, anchored(p.schema)])),
    required: entries.filter((p) => p.required).map((p) => p.name),
  };
}

function toValidationErrors(
  location: InputLocation,
  errors: ErrorObject[] | null | undefined,
  body: boolean,
): ValidationError[] {
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

const messages = (errors: ErrorObject[] | null | undefined, prefix = ''): string[] =>
  (errors ?? []).map((e) => `${prefix}${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);

const isNumber = (p: ContractParameter): boolean => p.schema.type === 'integer' || p.schema.type === 'number';
const JSON_NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

/**
 * Ajv's coercion turns any text JavaScript reads as a number into one (`Infinity`, `1e400`,
 * `0x10`, ` 5`) and then skips `minimum`/`maximum` for a number that is not finite: a number
 * parameter's text must be a JSON number whose value is finite.
 */
function numberTextErrors(
  location: InputLocation,
  values: Record<string, unknown>,
  numbers: ContractParameter[],
): ValidationError[] {
  return numbers
    .filter((p) => {
      const text = values[p.name];
      return typeof text === 'string' && !(JSON_NUMBER.test(text) && Number.isFinite(Number(text)));
    })
    .map((p) => ({ location, pointer: p.name, message: 'must be a finite JSON number' }));
}

/** One location's failing parameters: a number's text first, then what the schema says of the rest. */
function parameterErrors(
  location: 'path' | 'query' | 'header',
  values: Record<string, unknown>,
  validate: ValidateFunction,
  numbers: OperationValidators['numbers'],
): ValidationError[] {
  const syntax = numberTextErrors(location, values, numbers.get(location) ?? []);
  const schema = validate(values) ? [] : toValidationErrors(location, validate.errors, false);
  return [...syntax, ...schema.filter((e) => !syntax.some((s) => s.pointer === e.pointer))];
}

interface OperationValidators {
  path: ValidateFunction;
  query: ValidateFunction;
  header: ValidateFunction;
  queryArrays: Set<string>;
  /** Parameters that are numbers, by location: their text must be a JSON number (see `numberTextErrors`). */
  numbers: Map<ContractParameter['in'], ContractParameter[]>;
  headerParams: ContractParameter[];
  body: Map<string, ValidateFunction>;
}

export interface ContractValidators {
  /** Validates path, query and header parameters; fills in defaults. */
  parameters(operationId: OperationId, raw: RawRequest): { value: ValidatedParameters; errors: ValidationError[] };
  /** Validates a parsed body against the schema of its media type. */
  body(operationId: OperationId, mediaType: string, body: unknown): ValidationError[];
  /** Checks a response against what the contract documents; returns the violations (empty when it conforms). */
  response(operationId: OperationId, response: ResponseToCheck): string[];
}

/**
 * Compiles each operation's schemas once, on first use, so that starting the server compiles
 * nothing (all of them take about half a second): request schemas at the operation's first
 * request, response schemas only where responses are checked (tests).
 */
export function compileValidators(contract: Contract): ContractValidators {
  const params = createAjv(contract, true);
  const strict = createAjv(contract, false);
  const compileOperation = (op: ContractOperation): OperationValidators => {
    const at = (where: ContractParameter['in']) => op.parameters.filter((p) => p.in === where);
    return {
      path: params.compile(objectSchema(at('path'), false)),
      // Unknown query parameters are refused: fail closed rather than silently ignore a typo.
      query: params.compile(objectSchema(at('query'), false)),
      // Requests carry many other headers; only the contract's are checked.
      header: params.compile(objectSchema(at('header'), true)),
      queryArrays: new Set(
        at('query')
          .filter((p) => p.schema.type === 'array')
          .map((p) => p.name),
      ),
      numbers: new Map((['path', 'query', 'header'] as const).map((where) => [where, at(where).filter(isNumber)])),
      headerParams: at('header'),
      body: new Map(
        Object.entries(op.requestBody.content).map(([type, schema]) => [type, strict.compile(anchored(schema))]),
      ),
    };
  };
  const byId = new Map<OperationId, OperationValidators>();
  const get = (operationId: OperationId): OperationValidators => {
    let v = byId.get(operationId);
    if (v === undefined) {
      const operation = contract.byId.get(operationId);
      if (operation === undefined) throw new Error(`unknown operation ${operationId}`);
      v = compileOperation(operation);
      byId.set(operationId, v);
    }
    return v;
  };

  const responseValidators = new Map<string, ValidateFunction>();
  const responseValidator = (key: string, schema: JsonSchema): ValidateFunction => {
    let validate = responseValidators.get(key);
    if (validate === undefined) {
      validate = strict.compile(anchored(schema));
      responseValidators.set(key, validate);
    }
    return validate;
  };
  const headerSchema = (headers: Record<string, ContractHeader>): JsonSchema =>
    objectSchema(
      Object.entries(headers).map(([name, h]) => ({ name: name.toLowerCase(), ...h })),
      true,
    );

  return {
    parameters(operationId, raw) {
      const v = get(operationId);
      const path: Record<string, unknown> = { ...raw.path };
      // Without a prototype, a parameter named `__proto__` is a parameter like any other (and refused).
      const query: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const [name, values] of Object.entries(raw.query))
        query[name] = v.queryArrays.has(name) || values.length > 1 ? values : values[0];
      const header: Record<string, unknown> = {};
      const lower = new Map(Object.entries(raw.headers).map(([k, value]) => [k.toLowerCase(), value]));
      for (const p of v.headerParams) {
        const value = lower.get(p.name.toLowerCase());
        if (value !== undefined) header[p.name] = value;
      }
      const errors = [
        ...parameterErrors('path', path, v.path, v.numbers),
        ...parameterErrors('query', query, v.query, v.numbers),
        ...parameterErrors('header', header, v.header, v.numbers),
      ];
      return { value: { path, query, header }, errors };
    },
    body(operationId, mediaType, body) {
      const validate = get(operationId).body.get(mediaType);
      if (!validate) throw new Error(`${operationId} takes no ${mediaType} body`);
      return validate(body) ? [] : toValidationErrors('body', validate.errors, true);
    },
    response(operationId, response) {
      const operation = contract.byId.get(operationId);
      const status = String(response.status);
      const documented = operation?.responses[status];
      if (operation === undefined || documented === undefined)
        return [`${operationId} documents no ${status} response`];
      const violations: string[] = [];
      const mediaTypes = Object.keys(documented);
      if (response.mediaType === undefined) {
        if (mediaTypes.length > 0)
          violations.push(`the ${status} response has no body; the contract documents ${mediaTypes.join(', ')}`);
      } else {
        const schema = documented[response.mediaType];
        if (schema === undefined)
          violations.push(`${operationId} documents no ${status} ${response.mediaType} response`);
        else {
          const validate = responseValidator(`${operationId} ${status} ${response.mediaType}`, schema);
          if (!validate(response.body)) violations.push(...messages(validate.errors));
        }
      }
      const headers = Object.fromEntries(
        Object.entries(response.headers).map(([name, value]) => [name.toLowerCase(), value]),
      );
      const validateHeaders = responseValidator(
        `${operationId} ${status} headers`,
        headerSchema(operation.responseHeaders[status] ?? {}),
      );
      if (!validateHeaders(headers)) violations.push(...messages(validateHeaders.errors, 'header '));
      return violations;
    },
  };
}
