// Requests generated from each operation of the contract: a plan (fast-check value) of valid
// parameters and body, and at most one mutation; made concrete against the world when it
// runs; then judged valid or invalid by the contract's own validators, as the server will see it.
import fc from 'fast-check';
import { loadContract, type ContractOperation, type ContractParameter } from '../server/contract/document.js';
import { contractValidators } from './check.js';
import { schemaValues, IdRef, type Value } from './schema-values.js';
import type { Requester, World } from './world.js';

// The two organization headers are the identity of the call, not free inputs: they come from
// the caller and the chosen target, and mutations reach them like any other parameter.
const REQUESTER = 'Requester-Organization-ID';
const TARGET = 'Target-Organization-ID';
/** Past the server's body limit. */
const BODY_LIMIT_BYTES = loadContract().bodyLimitBytes;
const OVERSIZE = BODY_LIMIT_BYTES + 6 * 1024;

type Mutation =
  | { kind: 'param-invalid'; name: string; value: Value }
  | { kind: 'param-missing'; name: string }
  | { kind: 'param-duplicate'; name: string; value: Value }
  | { kind: 'param-extra'; where: 'query' | 'header'; name: string; value: string }
  | { kind: 'path-raw'; name: string; raw: string }
  | { kind: 'query-raw'; raw: string }
  | { kind: 'field-invalid'; name: string; value: Value }
  | { kind: 'field-missing'; name: string }
  | { kind: 'field-extra'; name: string; value: Value }
  | { kind: 'field-duplicate'; name: string; value: Value }
  | { kind: 'body-replaced'; value: Value }
  | { kind: 'body-text'; variant: BodyText; at: number }
  | { kind: 'body-bytes'; bytes: number[]; at: number }
  | { kind: 'body-oversize'; padding: 'field' | 'whitespace' }
  | { kind: 'content-type'; value: string | null }
  | { kind: 'auth'; how: 'none' | 'garbage' | 'basic' | 'lowercase-scheme' | 'another-organization' };

type BodyText =
  | 'truncated'
  | 'trailing-garbage'
  | 'single-quotes'
  | 'trailing-comma'
  | 'nan'
  | 'empty'
  | 'whitespace'
  | 'bom'
  | 'pretty'
  | 'deep'
  | 'huge-number'
  | 'comment';

export interface Plan {
  operationId: string;
  caller: number;
  /** 'self', or an id to put in Target-Organization-ID. */
  target: 'self' | IdRef;
  params: Record<string, Value | undefined>;
  body: { mediaType: string; value: Value } | undefined;
  mutation: Mutation | null;
}

export interface ConcreteRequest {
  operation: ContractOperation;
  caller: Requester;
  url: string;
  init: RequestInit & { method: string; headers: Headers };
  /** Valid or invalid by the contract; unknown when a raw mutation makes the server's view uncertain. */
  verdict: 'valid' | 'invalid' | 'unknown';
  /** Why it is invalid, for the report. */
  reasons: string[];
}

const values = schemaValues({ components: { schemas: loadContract().schemas } });

const pick = <T>(items: T[]): fc.Arbitrary<T> => fc.constantFrom(...items);

function bodyProperties(operation: ContractOperation, mediaType: string): [string, Record<string, unknown>][] {
  const schema = operation.requestBody.content[mediaType];
  if (schema === undefined) return [];
  const properties = values.resolve(schema).properties;
  return Object.entries((properties ?? {}) as Record<string, Record<string, unknown>>);
}

function mutations(operation: ContractOperation): fc.Arbitrary<Mutation> {
  const params = operation.parameters;
  const choices: fc.Arbitrary<Mutation>[] = [];
  const perParam = (make: (p: ContractParameter) => fc.Arbitrary<Mutation>) =>
    params.length > 0 && choices.push(fc.oneof(...params.map(make)));
  perParam((p) => values.invalid(p.schema, p.name).map((value) => ({ kind: 'param-invalid', name: p.name, value })));
  perParam((p) => fc.constant({ kind: 'param-missing', name: p.name }));
  perParam((p) =>
    fc
      .oneof(values.valid(p.schema, p.name), values.invalid(p.schema))
      .map((value) => ({ kind: 'param-duplicate', name: p.name, value })),
  );
  choices.push(
    fc.record({
      kind: fc.constant('param-extra' as const),
      where: pick(['query', 'header'] as const),
      name: fc.oneof(
        pick(['unknown', 'LIMIT', 'Statuses', 'limit[]', '__proto__', 'constructor', 'a'.repeat(300)]),
        fc.string({ minLength: 1, maxLength: 12 }),
      ),
      value: fc.string({ maxLength: 12 }),
    }),
    fc.record({
      kind: fc.constant('query-raw' as const),
      raw: pick([
        '%',
        '%zz',
        '%00',
        '&&&',
        '=',
        '==x',
        'x=%ED%A0%80',
        'limit=1&limit',
        ';',
        '+',
        '%2B',
        'a'.repeat(5000),
      ]),
    }),
  );
  const pathParams = params.filter((p) => p.in === 'path');
  if (pathParams.length > 0) {
    choices.push(
      fc.record({
        kind: fc.constant('path-raw' as const),
        name: pick(pathParams.map((p) => p.name)),
        raw: pick([
          '%00',
          '%ZZ',
          '%',
          '%2F',
          '%3F',
          '%23',
          '%ED%A0%80',
          '%C0%AF',
          'x'.repeat(3000),
          '%E2%80%AE',
          'null',
          '0',
          '-1',
        ]),
      }),
    );
  }
  if (operation.secured) {
    choices.push(
      fc.record({
        kind: fc.constant('auth' as const),
        how: pick(['none', 'garbage', 'basic', 'lowercase-scheme', 'another-organization'] as const),
      }),
    );
  }
  const mediaTypes = Object.keys(operation.requestBody.content);
  if (mediaTypes.length > 0) {
    const fields = [...new Map(mediaTypes.flatMap((m) => bodyProperties(operation, m))).entries()];
    if (fields.length > 0) {
      choices.push(
        fc.oneof(
          ...fields.map(([name, schema]) =>
            values.invalid(schema, name).map((value) => ({ kind: 'field-invalid' as const, name, value })),
          ),
        ),
        fc.oneof(...fields.map(([name]) => fc.constant({ kind: 'field-missing' as const, name }))),
        fc.oneof(
          ...fields.map(([name, schema]) =>
            fc
              .oneof(values.valid(schema, name), values.invalid(schema))
              .map((value) => ({ kind: 'field-duplicate' as const, name, value })),
          ),
        ),
      );
    }
    choices.push(
      fc.record({
        kind: fc.constant('field-extra' as const),
        name: fc.oneof(
          pick(['extra', '__proto__', 'constructor', 'prototype', ...fields.map(([n]) => n.toUpperCase())]),
          fc.string({ minLength: 1, maxLength: 12 }),
        ),
        value: fc.oneof(fc.constant<Value>(null), fc.string(), fc.integer()),
      }),
      fc.record({
        kind: fc.constant('body-replaced' as const),
        value: pick<Value>([null, [], [{}], 'text', 0, true, { '': '' }]),
      }),
      fc.record({
        kind: fc.constant('body-text' as const),
        variant: pick<BodyText>([
          'truncated',
          'trailing-garbage',
          'single-quotes',
          'trailing-comma',
          'nan',
          'empty',
          'whitespace',
          'bom',
          'pretty',
          'deep',
          'huge-number',
          'comment',
        ]),
        at: fc.nat(),
      }),
      fc.record({
        kind: fc.constant('body-bytes' as const),
        bytes: pick([[0xff], [0xc3], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]]),
        at: fc.nat(),
      }),
      fc.record({ kind: fc.constant('body-oversize' as const), padding: pick(['field', 'whitespace'] as const) }),
      fc.record({
        kind: fc.constant('content-type' as const),
        value: pick<string | null>([
          ...mediaTypes.flatMap((m) => [
            m.toUpperCase(),
            `${m}; charset=utf-8`,
            `${m};charset="UTF-8"`,
            `${m}; charset=iso-8859-1`,
            `${m}; version=2`,
            `${m}x`,
          ]),
          'text/plain',
          'application/xml',
          'multipart/form-data; boundary=x',
          'application/x-www-form-urlencoded',
          'application/json',
          '*/*',
          '',
          null,
        ]),
      }),
    );
  }
  return fc.oneof(...choices);
}

/** One operation's plans: valid parameters and body, mutated half of the time. */
function plans(operation: ContractOperation): fc.Arbitrary<Plan> {
  const free = operation.parameters.filter((p) => p.name !== REQUESTER && p.name !== TARGET);
  const params = fc.record(
    Object.fromEntries(
      free.map((p) => [
        p.name,
        p.required ? values.valid(p.schema, p.name) : fc.option(values.valid(p.schema, p.name), { nil: undefined }),
      ]),
    ),
  ) as fc.Arbitrary<Record<string, Value | undefined>>;
  const mediaTypes = Object.entries(operation.requestBody.content);
  const body =
    mediaTypes.length === 0
      ? fc.constant(undefined)
      : fc.oneof(
          ...mediaTypes.map(([mediaType, schema]) => values.valid(schema).map((value) => ({ mediaType, value }))),
        );
  const target = fc.oneof(
    { weight: 8, arbitrary: fc.constant('self' as const) },
    { weight: 2, arbitrary: fc.nat().map((i) => new IdRef('caller', i)) },
    { weight: 1, arbitrary: fc.nat().map((i) => new IdRef('organizations', i)) },
  );
  return fc.record({
    operationId: fc.constant(operation.operationId),
    caller: fc.nat(),
    target,
    params,
    body,
    mutation: fc.option(mutations(operation), { freq: 2 }),
  });
}

/** Plans for every operation of the contract, each equally likely. */
export function requestPlans(): fc.Arbitrary<Plan> {
  return fc.oneof(...loadContract().operations.map(plans));
}

// ---------------------------------------------------------------------------------------------
// From plan to request.

/** Percent-encodes UTF-8 (a lone surrogate becomes U+FFFD, as any HTTP client would send it). */
function encode(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

/** What the server reads back from `encode`: the same string, lone surrogates replaced. */
const decoded = (text: string): string => Buffer.from(text, 'utf8').toString('utf8');

/** Header values are bytes an HTTP client sends: tab, visible ASCII and obs-text (RFC 9110); fetch trims the ends. */
function headerValue(text: string): string {
  return text.replace(/[^\t\u0020-\u007e\u0080-\u00ff]/gu, '?');
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');
}

/** An object literal with `name` twice: first `first`, then the real value (JSON.parse keeps the last). */
function withDuplicateKey(body: Record<string, unknown>, name: string, first: unknown): string {
  const rest = JSON.stringify(body).slice(1);
  return `{${JSON.stringify(name)}:${JSON.stringify(first) ?? 'null'}${rest === '}' ? '}' : `,${rest}`}`;
}

function bodyText(text: string, variant: BodyText, at: number): string {
  switch (variant) {
    case 'truncated':
      return text.slice(0, at % Math.max(text.length, 1));
    case 'trailing-garbage':
      return `${text}}`;
    case 'single-quotes':
      return text.replace(/"/g, "'");
    case 'trailing-comma':
      return text.replace(/}$/, ',}');
    case 'nan':
      return text.replace(/:(".*?"|[^,}]+)/, ':NaN');
    case 'empty':
      return '';
    case 'whitespace':
      return ' \n\t ';
    case 'bom':
      return `\ufeff${text}`;
    case 'pretty':
      return JSON.stringify(JSON.parse(text), null, 2);
    case 'deep':
      return '['.repeat(20_000) + ']'.repeat(20_000);
    case 'huge-number':
      return text.replace(/}$/, ',"n":1e400}');
    case 'comment':
      return `/* c */${text}`;
  }
}

const form = (body: Record<string, unknown>) =>
  new URLSearchParams(Object.entries(body).map(([k, v]) => [k, asText(v)])).toString();

/** The media type the server should take from `Content-Type` (RFC 9110: case-insensitive; only UTF-8). */
function acceptedMediaType(header: string | null, accepted: string[]): string | undefined {
  const [essence = '', ...parameters] = (header ?? '').split(';').map((part) => part.trim().toLowerCase());
  const others = parameters.filter((p) => p !== '' && !/^charset="?utf-8"?$/.test(p));
  return accepted.includes(essence) && others.length === 0 ? essence : undefined;
}

/** Parses a body as the server must: UTF-8 (a BOM dropped), then JSON or a form (a repeated field is an array). */
function parseBody(bytes: Uint8Array, mediaType: string): { value: unknown } | undefined {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    if (mediaType !== 'application/x-www-form-urlencoded') return { value: JSON.parse(text) };
    const fields = new Map<string, string[]>();
    for (const [name, value] of new URLSearchParams(text)) fields.set(name, [...(fields.get(name) ?? []), value]);
    return { value: Object.fromEntries([...fields].map(([name, all]) => [name, all.length === 1 ? all[0] : all])) };
  } catch {
    return undefined;
  }
}

/** The plan made concrete for the world as it is now, with the contract's verdict on it. */
export function concreteRequest(plan: Plan, world: World, now: number): ConcreteRequest {
  const operation = loadContract().byId.get(plan.operationId as ContractOperation['operationId']);
  if (operation === undefined) throw new Error(`no operation ${plan.operationId}`);
  const caller = world.requesters[plan.caller % world.requesters.length] as Requester;
  const resolve = (value: Value) => world.resolve(caller, value, now);
  const m = plan.mutation;
  const reasons: string[] = [];
  let uncertain = false;

  // Parameters as name → list of values (a repeated parameter has several).
  const given = new Map<string, string[]>();
  const self = caller.organization.organization_id;
  given.set(REQUESTER, [self]);
  given.set(TARGET, [plan.target === 'self' ? self : asText(resolve(plan.target))]);
  for (const [name, value] of Object.entries(plan.params)) {
    if (value === undefined) continue;
    const resolved = resolve(value);
    given.set(name, Array.isArray(resolved) ? resolved.map(asText) : [asText(resolved)]);
  }
  if (m?.kind === 'param-invalid') {
    const resolved = resolve(m.value);
    given.set(m.name, Array.isArray(resolved) ? resolved.map(asText) : [asText(resolved)]);
  }
  if (m?.kind === 'param-missing') given.delete(m.name);
  if (m?.kind === 'param-duplicate') given.set(m.name, [...(given.get(m.name) ?? []), asText(resolve(m.value))]);

  const where = new Map(operation.parameters.map((p) => [p.name, p.in]));
  const headers = new Headers();
  const query: [string, string][] = [];
  const path: Record<string, string> = {};
  const rawPath: Record<string, string> = {};
  for (const [name, list] of given) {
    const location = where.get(name);
    if (location === 'header') for (const v of list) headers.append(name, headerValue(v));
    else if (location === 'query') for (const v of list) query.push([name, v]);
    else if (location === 'path') {
      // A path parameter is one segment; an empty one would route elsewhere.
      const value = list.join(',') || 'x';
      path[name] = decoded(value);
      rawPath[name] = encode(value);
    }
  }
  for (const p of operation.parameters) {
    if (p.in === 'path' && path[p.name] === undefined) {
      path[p.name] = 'x';
      rawPath[p.name] = 'x';
    }
  }
  if (m?.kind === 'param-extra') {
    if (m.where === 'query') query.push([m.name, m.value]);
    else if (/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(m.name)) headers.append(m.name, headerValue(m.value));
  }
  if (m?.kind === 'path-raw') {
    rawPath[m.name] = m.raw;
    uncertain = true;
  }

  if (operation.secured) {
    const token = caller.organization.token;
    const other = world.requesters[(plan.caller + 1) % world.requesters.length]?.organization.token ?? token;
    const authorization =
      m?.kind !== 'auth'
        ? `Bearer ${token}`
        : {
            none: undefined,
            garbage: 'Bearer not.a.token',
            basic: 'Basic dXNlcjpwYXNz',
            'lowercase-scheme': `bearer ${token}`,
            'another-organization': `Bearer ${other}`,
          }[m.how];
    if (authorization !== undefined) headers.set('Authorization', authorization);
    if (m?.kind === 'auth' && m.how !== 'lowercase-scheme') reasons.push(`authorization: ${m.how}`);
  }

  // The body.
  let bytes: Uint8Array<ArrayBuffer> | undefined;
  let contentType: string | null = null;
  const accepted = Object.keys(operation.requestBody.content);
  if (plan.body !== undefined) {
    const value = resolve(plan.body.value) as Record<string, unknown>;
    let object: unknown = value;
    if (m?.kind === 'field-invalid') object = { ...value, [m.name]: resolve(m.value) };
    if (m?.kind === 'field-missing') {
      const { [m.name]: _dropped, ...rest } = value;
      object = rest;
    }
    // defineProperty, so `__proto__` stays an own field as JSON.parse makes it.
    if (m?.kind === 'field-extra')
      object = Object.defineProperty({ ...value }, m.name, { value: resolve(m.value), enumerable: true });
    if (m?.kind === 'body-replaced') object = resolve(m.value);
    contentType = plan.body.mediaType;
    let text =
      contentType === 'application/x-www-form-urlencoded' &&
      typeof object === 'object' &&
      object !== null &&
      !Array.isArray(object)
        ? form(object as Record<string, unknown>)
        : JSON.stringify(object);
    if (m?.kind === 'field-duplicate') {
      text =
        contentType === 'application/x-www-form-urlencoded'
          ? `${text}&${encodeURIComponent(m.name)}=${encode(asText(resolve(m.value)))}`
          : withDuplicateKey(value, m.name, resolve(m.value));
    }
    if (m?.kind === 'body-text' && contentType === 'application/json') text = bodyText(text, m.variant, m.at);
    if (m?.kind === 'body-oversize')
      text =
        m.padding === 'whitespace'
          ? text + ' '.repeat(OVERSIZE)
          : text.replace(/^{/, `{"padding":"${'p'.repeat(OVERSIZE)}",`);
    bytes = new Uint8Array(Buffer.from(text, 'utf8'));
    if (m?.kind === 'body-bytes') {
      const at = m.at % Math.max(bytes.length, 1);
      bytes = new Uint8Array(Buffer.concat([bytes.subarray(0, at), Buffer.from(m.bytes), bytes.subarray(at)]));
    }
    if (m?.kind === 'content-type') contentType = m.value;
    if (contentType !== null) headers.set('Content-Type', contentType);
  }

  // The verdict, from the contract's validators on what the server will see.
  if (accepted.length > 0) {
    if (bytes === undefined || bytes.length === 0) {
      if (operation.requestBody.required) reasons.push('no body');
    } else if (bytes.length > BODY_LIMIT_BYTES) {
      reasons.push('body over the limit');
    } else {
      const mediaType = acceptedMediaType(contentType, accepted);
      const parsed = mediaType === undefined ? undefined : parseBody(bytes, mediaType);
      if (mediaType === undefined) reasons.push(`content type ${contentType}`);
      else if (parsed === undefined) reasons.push(`body is not ${mediaType}`);
      else
        reasons.push(
          ...contractValidators()
            .body(operation.operationId, mediaType, parsed.value)
            .map((e) => `body ${e.pointer} ${e.message}`),
        );
    }
  }
  const queries = new Map<string, string[]>();
  for (const [name, value] of query) queries.set(name, [...(queries.get(name) ?? []), value]);
  // The contract refuses every query parameter it does not name, whatever the name.
  const declared = new Set(operation.parameters.filter((p) => p.in === 'query').map((p) => p.name));
  for (const name of queries.keys())
    if (!declared.has(name)) reasons.push(`query ${name} is not a parameter of the operation`);
  const parameters = contractValidators().parameters(operation.operationId, {
    path,
    query: Object.fromEntries(queries),
    headers: Object.fromEntries(headers),
  });
  reasons.push(...parameters.errors.map((e) => `${e.location} ${e.pointer} ${e.message}`));

  const pathText = operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => rawPath[name] ?? 'x');
  let search = query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
  if (m?.kind === 'query-raw') {
    search = search === '' ? m.raw : `${search}&${m.raw}`;
    uncertain = true;
  }
  return {
    operation,
    caller,
    url: `${operation.basePath}${pathText}${search === '' ? '' : `?${search}`}`,
    init: { method: operation.method.toUpperCase(), headers, ...(bytes === undefined ? {} : { body: bytes }) },
    verdict: reasons.length > 0 ? 'invalid' : uncertain ? 'unknown' : 'valid',
    reasons,
  };
}
