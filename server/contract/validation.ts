// Validators compiled once from the contract's own schemas: request parameters (coerced from
// strings, defaults filled in) and request bodies. Responses are checked in response-check.ts.
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { components } from '../../generated/openapi.js';
import { anchored, createAjv, objectSchema } from './ajv.js';
import type { Contract, ContractOperation, ContractParameter, OperationId } from './document.js';
import {
  compileResponseCheck,
  type ResponseCheck,
  type ResponseToCheck,
  type ResponseViolation,
} from './response-check.js';

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
  /** The response check (response-check.ts): where the answer breaks the contract, each naming its check. */
  response(operationId: OperationId, response: ResponseToCheck): ResponseViolation[];
}

/**
 * Compiles each operation's schemas once, on first use, so that starting the server compiles
 * nothing (all of them take about half a second): request schemas at the operation's first
 * request, response schemas only where responses are checked (tests, conformance).
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

  // Made at the first response checked: a server that checks none (production) never makes one.
  let responseCheck: ResponseCheck | undefined;

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
      responseCheck ??= compileResponseCheck(contract);
      return responseCheck(operationId, response);
    },
  };
}
