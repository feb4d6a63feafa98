// generated/operations.ts: every runtime fact of the contract, one table. The server routes,
// validates and authorizes from it, the client knows which calls are secured, keyed or probes,
// and tests enumerate operations from it. Descriptions and examples stay in openapi.yaml.
import { needsApiToken } from './security.js';

type Obj = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const PROSE = new Set(['description', 'summary', 'example', 'examples']);
// The headers that the server and the client handle by name, each the `name` of the contract's
// parameter component of that name (the Redocly plugin checks the organization ones).
const HEADER_PARAMETERS = {
  requesterOrganizationId: 'RequesterOrganizationId',
  targetOrganizationId: 'TargetOrganizationId',
  idempotencyKey: 'IdempotencyKey',
} as const;

const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);

function fail(message: string): never {
  throw new Error(`openapi.yaml: ${message}`);
}

/** Follows a local `$ref` (`#/components/...`) to the object it names. */
export function resolve(document: Obj, value: unknown): Obj {
  if (!isObj(value)) fail('expected an object');
  const ref = value.$ref;
  if (typeof ref !== 'string') return value;
  let node: unknown = document;
  for (const part of ref.replace(/^#\//, '').split('/')) {
    node = isObj(node) ? node[part.replaceAll('~1', '/').replaceAll('~0', '~')] : undefined;
  }
  if (node === undefined) fail(`unresolved $ref ${ref}`);
  return resolve(document, node);
}

// Keywords whose value is a map of names to schemas: a property may well be called `description`.
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs']);

/** A schema without its prose; `$ref`s to components/schemas are kept (the table carries those schemas). */
function fact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fact);
  if (!isObj(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !PROSE.has(key))
      .map(([key, item]) => [key, SCHEMA_MAPS.has(key) && isObj(item) ? schemaMap(item) : fact(item)]),
  );
}

function schemaMap(map: Obj): Obj {
  return Object.fromEntries(Object.entries(map).map(([name, schema]) => [name, fact(schema)]));
}

function basePathOf(servers: unknown): string {
  const url = Array.isArray(servers) && isObj(servers[0]) ? servers[0].url : undefined;
  if (typeof url !== 'string') fail('every server list needs a url');
  return new URL(url, 'http://localhost').pathname.replace(/\/+$/, '');
}

function content(document: Obj, value: unknown): Obj {
  if (!isObj(value)) return {};
  return Object.fromEntries(
    Object.entries(value).map(([mediaType, media]) => [mediaType, fact(resolve(document, media).schema ?? {})]),
  );
}

function parameters(document: Obj, raw: unknown[]): Obj[] {
  const byKey = new Map<string, Obj>();
  for (const item of raw) {
    const p = resolve(document, item);
    byKey.set(`${String(p.in)}:${String(p.name).toLowerCase()}`, {
      name: p.name,
      in: p.in,
      required: p.required === true,
      schema: fact(p.schema ?? {}),
    });
  }
  return [...byKey.values()];
}

function responses(document: Obj, raw: unknown): Obj {
  if (!isObj(raw)) fail('every operation needs responses');
  return Object.fromEntries(
    Object.entries(raw).map(([status, item]) => {
      const response = resolve(document, item);
      const headers = isObj(response.headers) ? response.headers : {};
      return [
        status,
        {
          content: content(document, response.content),
          headers: Object.fromEntries(
            Object.entries(headers).map(([name, header]) => {
              const h = resolve(document, header);
              return [name, { required: h.required === true, schema: fact(h.schema ?? {}) }];
            }),
          ),
        },
      ];
    }),
  );
}

/** The header names of HEADER_PARAMETERS, read from components/parameters. */
function headerNames(document: Obj): Record<keyof typeof HEADER_PARAMETERS, string> {
  const components =
    isObj(document.components) && isObj(document.components.parameters) ? document.components.parameters : {};
  const nameOf = (component: string): string => {
    const parameter = components[component];
    if (!isObj(parameter) || parameter.in !== 'header' || typeof parameter.name !== 'string')
      fail(`components/parameters/${component} must be a header parameter`);
    return parameter.name;
  };
  return {
    requesterOrganizationId: nameOf(HEADER_PARAMETERS.requesterOrganizationId),
    targetOrganizationId: nameOf(HEADER_PARAMETERS.targetOrganizationId),
    idempotencyKey: nameOf(HEADER_PARAMETERS.idempotencyKey),
  };
}

function operationTable(document: Obj): Obj {
  const defaultBasePath = basePathOf(document.servers);
  const idempotencyHeader = headerNames(document).idempotencyKey.toLowerCase();
  const operations: Obj = {};
  for (const [path, rawItem] of Object.entries(isObj(document.paths) ? document.paths : {})) {
    const item = resolve(document, rawItem);
    const basePath = item.servers === undefined ? defaultBasePath : basePathOf(item.servers);
    for (const method of METHODS) {
      const op = item[method];
      if (!isObj(op)) continue;
      const operationId = op.operationId;
      if (typeof operationId !== 'string') fail(`${method} ${path} has no operationId`);
      const params = parameters(document, [
        ...(Array.isArray(item.parameters) ? item.parameters : []),
        ...(Array.isArray(op.parameters) ? op.parameters : []),
      ]);
      const body = op.requestBody === undefined ? undefined : resolve(document, op.requestBody);
      operations[operationId] = {
        operationId,
        method,
        path,
        basePath,
        // Needs the API's bearer token (and so the organization headers and scenarios).
        secured: needsApiToken(op.security, document.security),
        scenarios: Array.isArray(op['x-scenarios']) ? op['x-scenarios'] : [],
        idempotencyKey: params.some((p) => p.in === 'header' && String(p.name).toLowerCase() === idempotencyHeader),
        parameters: params,
        requestBody:
          body === undefined ? null : { required: body.required === true, content: content(document, body.content) },
        responses: responses(document, op.responses),
      };
    }
  }
  return operations;
}

const RATE_LIMIT_COSTS = {
  request: 'request',
  searchText: 'search_text',
  searchTextCharsPerToken: 'search_text_chars_per_token',
  offsetRowsPerToken: 'offset_rows_per_token',
  offsetMaxTokens: 'offset_max_tokens',
} as const;

/** `x-rate-limit-costs`: every entry a positive integer. */
function rateLimitCosts(raw: unknown): Record<keyof typeof RATE_LIMIT_COSTS, number> {
  if (!isObj(raw)) fail('x-rate-limit-costs must be an object');
  const value = (key: string): number => {
    const cost = raw[key];
    if (typeof cost !== 'number' || !Number.isSafeInteger(cost) || cost <= 0)
      fail(`x-rate-limit-costs.${key} must be a positive integer`);
    return cost;
  };
  return {
    request: value(RATE_LIMIT_COSTS.request),
    searchText: value(RATE_LIMIT_COSTS.searchText),
    searchTextCharsPerToken: value(RATE_LIMIT_COSTS.searchTextCharsPerToken),
    offsetRowsPerToken: value(RATE_LIMIT_COSTS.offsetRowsPerToken),
    offsetMaxTokens: value(RATE_LIMIT_COSTS.offsetMaxTokens),
  };
}

/** The contract's own settings that are not about one operation. */
function contractSettings(document: Obj): Obj {
  const limit = document['x-body-limit-bytes'];
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit <= 0)
    fail('x-body-limit-bytes must be a positive integer');
  const scenarios = document['x-scenario-definitions'];
  if (!isObj(scenarios) || Object.keys(scenarios).length === 0) fail('x-scenario-definitions must name the scenarios');
  return {
    basePath: basePathOf(document.servers),
    bodyLimitBytes: limit,
    rateLimitCosts: rateLimitCosts(document['x-rate-limit-costs']),
    scenarios: Object.keys(scenarios),
    headers: headerNames(document),
  };
}

function routesOf(table: Obj): Obj {
  return Object.fromEntries(
    Object.entries(table).map(([operationId, op]) => {
      const { method, path, basePath, secured, idempotencyKey } = op as Obj;
      return [operationId, { method, path, basePath, secured, idempotencyKey }];
    }),
  );
}

/**
 * The top-level `webhooks`: each event type with the schema of its body. The names agree
 * everywhere or generation fails: each key is its body's `type` constant, and the keys are
 * `components/schemas/WebhookEventType`, which endpoints subscribe with.
 */
function webhookTable(document: Obj): Obj {
  const events = Object.entries(isObj(document.webhooks) ? document.webhooks : {});
  const table = Object.fromEntries(
    events.map(([type, rawItem]) => {
      const op = resolve(document, rawItem).post;
      if (!isObj(op) || op.requestBody === undefined) fail(`webhook ${type} needs a post with a request body`);
      const body = content(document, resolve(document, op.requestBody).content);
      const schema = body['application/json'];
      const properties = schema === undefined ? undefined : resolve(document, schema).properties;
      const constant = isObj(properties) && isObj(properties.type) ? properties.type.const : undefined;
      if (constant !== type) fail(`webhook ${type}: its body's type must be the constant ${type}`);
      return [type, { operationId: op.operationId, schema }];
    }),
  );
  const components =
    isObj(document.components) && isObj(document.components.schemas) ? document.components.schemas : {};
  const declared = isObj(components.WebhookEventType) ? components.WebhookEventType.enum : undefined;
  if (events.length > 0 && JSON.stringify(declared) !== JSON.stringify(Object.keys(table)))
    fail('components/schemas/WebhookEventType must list the webhooks, in their order');
  return table;
}

export function operationTableModule(document: Obj): string {
  const components = isObj(document.components) ? document.components : {};
  const json = (value: unknown) => JSON.stringify(value, null, 2);
  const table = operationTable(document);
  return [
    '// Generated by `npm run generate` from openapi.yaml: do not edit. `npm run generate:check` fails when stale.',
    '',
    '/** Facts of the contract that are not about one operation. */',
    `export const contract = ${json(contractSettings(document))} as const;`,
    '',
    '/** Every operation, keyed by operationId: routing, security, scenarios, parameters, bodies and responses. */',
    `export const operations = ${json(table)} as const;`,
    '',
    '/** Every event of the top-level `webhooks`, keyed by its type: the schema of its body. */',
    `export const webhooks = ${json(webhookTable(document))} as const;`,
    '',
    '/** The routing facts alone, for the client: a bundle that imports only these stays small. */',
    `export const routes = ${json(routesOf(table))} as const;`,
    '',
    '/** components/schemas, which the schemas above refer to with `$ref`. */',
    `export const schemas = ${json(fact(components.schemas ?? {}))} as const;`,
    '',
  ].join('\n');
}
