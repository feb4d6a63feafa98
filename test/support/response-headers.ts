// Response headers judged by the contract: the ones a documented response requires must be
// there, and each header it declares must match its schema. (The body is checked by
// validateResponse in ./contract.ts.)
import { Ajv2020 } from 'ajv/dist/2020.js';
import { loadContract, type OperationId } from '../../server/contract/document.js';

type Obj = Record<string, unknown>;
const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);

function resolve(document: Obj, value: unknown): Obj {
  if (!isObj(value)) return {};
  if (typeof value.$ref !== 'string') return value;
  let node: unknown = document;
  for (const part of value.$ref.replace(/^#\//, '').split('/')) node = isObj(node) ? node[part] : undefined;
  return resolve(document, node);
}

const ajv = new Ajv2020({ allErrors: true, strict: false });

/** Why the response's headers break what the contract documents for this status; empty when they conform. */
export function headerProblems(operationId: OperationId, response: Response): string[] {
  const document = loadContract().document;
  const operation = loadContract().operations.find((o) => o.operationId === operationId);
  if (operation === undefined) return [`no operation ${operationId}`];
  const paths = document.paths as Obj;
  const raw = resolve(document, resolve(document, resolve(document, paths[operation.path])[operation.method]).responses);
  const documented = resolve(document, raw[String(response.status)]);
  if (Object.keys(documented).length === 0) return [`${operationId} documents no ${response.status} response`];
  const problems: string[] = [];
  for (const [name, declared] of Object.entries(resolve(document, documented.headers))) {
    const header = resolve(document, declared);
    const value = response.headers.get(name);
    if (value === null) {
      if (header.required === true) problems.push(`${name} is required`);
      continue;
    }
    const validate = ajv.compile(resolve(document, header.schema));
    if (!validate(value)) problems.push(`${name}: ${JSON.stringify(value)} ${ajv.errorsText(validate.errors)}`);
  }
  return problems;
}
