// The one Ajv set-up for the contract's schemas, shared by request validation (validation.ts)
// and the response check (response-check.ts): formats, the registered root, `$ref` anchoring.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Contract, JsonSchema } from './document.js';

const ROOT_ID = 'https://connections.example.com/openapi.json';

export function createAjv(contract: Contract, coerce: boolean): Ajv2020 {
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
export function anchored(schema: JsonSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\//g, `"$ref":"${ROOT_ID}#/`)) as JsonSchema;
}

export function objectSchema(
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
