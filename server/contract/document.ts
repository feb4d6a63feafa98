import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { operations } from '../../generated/openapi.js';

export type OperationId = keyof operations;
export type Scenario = 'self' | 'host' | 'guest';
export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type JsonSchema = Record<string, unknown>;

export interface ContractParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: JsonSchema;
}

export interface ContractOperation {
  operationId: OperationId;
  method: HttpMethod;
  /** The contract's path template, e.g. `/host-connections/{host_org_id}`. */
  path: string;
  /** Probes (path-level `servers`) live at the root; everything else under `/v1`. */
  basePath: '' | '/v1';
  parameters: ContractParameter[];
  /** Request body schemas by media type; empty when the operation takes no body. */
  requestBody: { required: boolean; content: Record<string, JsonSchema> };
  /** Response schemas by status, then media type. */
  responses: Record<string, Record<string, JsonSchema>>;
  /** Empty for operations with `security: []`. */
  scenarios: Scenario[];
  secured: boolean;
}

export interface Contract {
  document: Record<string, unknown>;
  operations: ContractOperation[];
  byId: Map<OperationId, ContractOperation>;
}

const METHODS: HttpMethod[] = ['get', 'post', 'put', 'patch', 'delete'];

/** openapi.yaml sits at the package root; walk up so this works from sources and from dist/. */
export function contractPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'openapi.yaml');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('openapi.yaml not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Resolves a local `$ref` (`#/components/...`) one level; schemas keep theirs for Ajv. */
function deref(document: Obj, value: unknown): Obj {
  if (!isObj(value)) throw new Error('contract: expected an object');
  const ref = value.$ref;
  if (typeof ref !== 'string') return value;
  let node: unknown = document;
  for (const part of ref.replace(/^#\//, '').split('/')) node = isObj(node) ? node[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  return deref(document, node);
}

function contentSchemas(document: Obj, content: unknown): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  if (!isObj(content)) return out;
  for (const [mediaType, media] of Object.entries(content)) {
    if (isObj(media) && isObj(media.schema)) out[mediaType] = media.schema;
  }
  return out;
}

export function parseContract(text: string): Contract {
  const document = parse(text) as Obj;
  const operations: ContractOperation[] = [];
  const globalSecured = Array.isArray(document.security) && document.security.length > 0;
  for (const [path, rawItem] of Object.entries((document.paths ?? {}) as Obj)) {
    const item = deref(document, rawItem);
    const basePath = Array.isArray(item.servers) ? '' : '/v1';
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    for (const method of METHODS) {
      const op = item[method];
      if (!isObj(op)) continue;
      const byKey = new Map<string, ContractParameter>();
      for (const raw of [...shared, ...(Array.isArray(op.parameters) ? op.parameters : [])]) {
        const p = deref(document, raw);
        const param: ContractParameter = {
          name: String(p.name),
          in: p.in as ContractParameter['in'],
          required: p.required === true,
          schema: isObj(p.schema) ? p.schema : {},
        };
        byKey.set(`${param.in}:${param.name.toLowerCase()}`, param);
      }
      const body = op.requestBody ? deref(document, op.requestBody) : undefined;
      const responses: ContractOperation['responses'] = {};
      for (const [status, raw] of Object.entries(isObj(op.responses) ? op.responses : {})) {
        responses[status] = contentSchemas(document, deref(document, raw).content);
      }
      const secured = Array.isArray(op.security) ? op.security.length > 0 : globalSecured;
      const scenarios = Array.isArray(op['x-scenarios']) ? (op['x-scenarios'] as Scenario[]) : [];
      operations.push({
        operationId: op.operationId as OperationId,
        method,
        path,
        basePath,
        parameters: [...byKey.values()],
        requestBody: { required: body?.required === true, content: contentSchemas(document, body?.content) },
        responses,
        scenarios,
        secured,
      });
    }
  }
  return { document, operations, byId: new Map(operations.map((o) => [o.operationId, o])) };
}

let cached: Contract | undefined;

/** The parsed contract, read once per process. */
export function loadContract(): Contract {
  cached ??= parseContract(readFileSync(contractPath(), 'utf8'));
  return cached;
}
