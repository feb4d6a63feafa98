// What the contract documents for a response (its status, media type, body schema, headers and
// the Location it declares), checked against an answer: by the server before an answer leaves
// (`validateResponses`, in tests) and by the conformance command against any deployment.
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { anchored, createAjv, objectSchema } from './ajv.js';
import type { Contract, ContractHeader, JsonSchema, OperationId } from './document.js';

/** A response as it leaves: `body` is absent when the response has none. */
export interface ResponseToCheck {
  status: number;
  mediaType?: string | undefined;
  body?: unknown;
  headers: Record<string, string>;
}

/** Which rule of the contract an answer breaks; conformance reports and JUnit cases name it. */
export type ResponseCheckName = 'documented status' | 'media type' | 'body schema' | 'headers' | 'location';

export interface ResponseViolation {
  check: ResponseCheckName;
  message: string;
}

export type ResponseCheck = (operationId: OperationId, response: ResponseToCheck) => ResponseViolation[];

const messages = (check: ResponseCheckName, errors: ErrorObject[] | null | undefined, prefix = '') =>
  (errors ?? []).map((e) => ({ check, message: `${prefix}${e.instancePath || '/'} ${e.message ?? 'is invalid'}` }));

/** Compiles a schema at its first use: only the statuses a run meets cost anything. */
export function compileResponseCheck(contract: Contract): ResponseCheck {
  const strict = createAjv(contract, false);
  const compiled = new Map<string, ValidateFunction>();
  const validator = (key: string, schema: JsonSchema): ValidateFunction => {
    let validate = compiled.get(key);
    if (validate === undefined) {
      validate = strict.compile(anchored(schema));
      compiled.set(key, validate);
    }
    return validate;
  };
  const headerSchema = (headers: Record<string, ContractHeader>): JsonSchema =>
    objectSchema(
      Object.entries(headers).map(([name, h]) => ({ name: name.toLowerCase(), ...h })),
      true,
    );

  return (operationId, response) => {
    const operation = contract.byId.get(operationId);
    const status = String(response.status);
    const documented = operation?.responses[status];
    if (operation === undefined || documented === undefined)
      return [{ check: 'documented status', message: `${operationId} documents no ${status} response` }];
    const violations: ResponseViolation[] = [];
    const mediaTypes = Object.keys(documented);
    if (response.mediaType === undefined) {
      if (mediaTypes.length > 0)
        violations.push({
          check: 'media type',
          message: `the ${status} response has no body; the contract documents ${mediaTypes.join(', ')}`,
        });
    } else {
      const schema = documented[response.mediaType];
      if (schema === undefined)
        violations.push({
          check: 'media type',
          message: `${operationId} documents no ${status} ${response.mediaType} response`,
        });
      else {
        const validate = validator(`${operationId} ${status} ${response.mediaType}`, schema);
        if (!validate(response.body)) violations.push(...messages('body schema', validate.errors));
      }
    }
    const headers = Object.fromEntries(
      Object.entries(response.headers).map(([name, value]) => [name.toLowerCase(), value]),
    );
    const declared = operation.responseHeaders[status] ?? {};
    const validateHeaders = validator(`${operationId} ${status} headers`, headerSchema(declared));
    if (!validateHeaders(headers)) violations.push(...messages('headers', validateHeaders.errors, 'header '));
    // A created record's URL is the point of a declared Location, optional in OpenAPI's terms or not.
    if (Object.keys(declared).some((name) => name.toLowerCase() === 'location') && !headers.location)
      violations.push({ check: 'location', message: `the ${status} response has no Location header` });
    return violations;
  };
}
