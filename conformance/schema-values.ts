// Values for the contract's own JSON schemas: fast-check arbitraries of values a schema
// accepts (reaching every bound, format and edge a client can legally send) and of values it
// probably refuses (each bound overstepped, wrong types, broken formats). Which one a value
// really is, is decided later by the contract's validators, never here: these only aim.
import fc from 'fast-check';
import type { JsonSchema } from '../server/contract/document.js';

/** Where an id comes from when the request runs: the caller's own ids, the world's organizations, or any id seen. */
export type IdPool = 'caller' | 'organizations' | 'world';

/** An id chosen from the world at run time (the world grows as responses come back). */
export class IdRef {
  constructor(
    readonly pool: IdPool,
    readonly index: number,
    readonly upperCase = false,
  ) {}
}

/** A string a response carried under this property name (an invitation token, a client id), or `fallback`. */
export class Harvested {
  constructor(
    readonly name: string,
    readonly index: number,
    readonly fallback: string,
  ) {}
}

/** A timestamp `ms` from the moment the request is sent, so "in the future" stays true on replay. */
export class FromNow {
  constructor(readonly ms: number) {}
}

export type Value =
  | null
  | boolean
  | number
  | string
  | IdRef
  | Harvested
  | FromNow
  | Value[]
  | { [name: string]: Value };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const DAY_MS = 24 * 60 * 60 * 1000;

// Strings that break code which is not careful: NUL and other controls, lone surrogates,
// bidi overrides, SQL and LIKE metacharacters, escapes, look-alikes of other types.
// URLs for webhook endpoints: a public address written as one (no DNS lookup), and the ones
// the server must refuse (loopback, cloud metadata, plain http, credentials, other notations).
const URIS = [
  'https://93.184.215.14/hooks',
  'https://127.0.0.1/x',
  'https://169.254.169.254/latest/meta-data',
  'http://93.184.215.14/x',
  'https://user:pw@93.184.215.14/x',
  'https://[::ffff:10.0.0.1]/x',
  'https://2130706433/x',
  'ftp://93.184.215.14/x',
];

const TRICKY_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\u0001\u001f\u007f',
  '\t\n\r',
  '\ud800',
  'a\udc00b',
  '\ufeff',
  '\u202e',
  '\uffff',
  '\u{1d11e}',
  'e\u0301',
  '%',
  '%00',
  '_',
  '\\',
  "'; select pg_sleep(1); --",
  '"',
  '<script>',
  `\${x}`,
  'null',
  'true',
  '-1',
  '1e999',
  ' padded ',
];

const CONTROL_UNITS = fc.constantFrom('\u0000', '\u0001', '\u001b', '\u007f', '\u0085', '\ud800', '\udfff', 'a');

// A value of each JSON type: whatever the schema wants, most of these are the wrong type.
const ANY_TYPE: Value[] = [null, true, false, 0, -1, 1.5, 1e21, '', 'x', [], [null], {}, { a: 1 }];

const UUID = fc.uuid();

/** Fits a string into [min, max] code points by padding with `a` or cutting. */
function fitLength(text: string, min: number, max: number): string {
  const points = [...text];
  while (points.length < min) points.push('a');
  return points.slice(0, max).join('');
}

export interface SchemaValues {
  /** `$ref`s followed and `allOf` merged; `oneOf` and type lists left for the caller. */
  resolve(schema: JsonSchema): JsonSchema;
  /** Values the schema should accept; `name` is the property or parameter, for harvested values. */
  valid(schema: JsonSchema, name?: string): fc.Arbitrary<Value>;
  /** Values the schema should refuse (each bound overstepped, other types, broken formats). */
  invalid(schema: JsonSchema, name?: string): fc.Arbitrary<Value>;
  /**
   * One plain valid value, the same every time: uuids become `IdRef('caller', n)` for the n-th
   * uuid slot, and a free string the first value harvested under its property name.
   */
  exemplar(schema: JsonSchema, name?: string): Value;
}

export function schemaValues(document: Obj): SchemaValues {
  function follow(ref: string): JsonSchema {
    let node: unknown = document;
    for (const part of ref.replace(/^#\//, '').split('/')) node = isObj(node) ? node[part] : undefined;
    if (!isObj(node)) throw new Error(`the contract has no ${ref}`);
    return node;
  }

  function resolve(schema: JsonSchema): JsonSchema {
    let current: JsonSchema = schema;
    while (typeof current.$ref === 'string') {
      const { $ref, ...rest } = current;
      current = { ...follow($ref as string), ...rest };
    }
    if (Array.isArray(current.allOf)) {
      const { allOf, ...rest } = current;
      current = Object.assign({}, ...(allOf as JsonSchema[]).map(resolve), rest) as JsonSchema;
    }
    return current;
  }

  const ids = (): fc.Arbitrary<Value> =>
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc.tuple(fc.nat(), fc.boolean()).map(([i, up]) => new IdRef('caller', i, up && i % 5 === 0)),
      },
      { weight: 3, arbitrary: fc.nat().map((i) => new IdRef('organizations', i)) },
      { weight: 1, arbitrary: fc.nat().map((i) => new IdRef('world', i)) },
      {
        weight: 1,
        arbitrary: fc.oneof(
          UUID,
          fc.constantFrom('00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'),
        ),
      },
    );

  const dateTimes = (): fc.Arbitrary<Value> =>
    fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: -3 * DAY_MS, max: 400 * DAY_MS }).map((ms) => new FromNow(ms)) },
      {
        weight: 1,
        arbitrary: fc
          .date({
            min: new Date('1970-01-01T00:00:00Z'),
            max: new Date('9999-12-31T23:59:59.999Z'),
            noInvalidDate: true,
          })
          .map((d) => d.toISOString()),
      },
      {
        weight: 2,
        // Calendar edges: leap days, a leap second, the 2038 and int64-nanosecond limits, the last instant.
        arbitrary: fc.constantFrom(
          '2028-02-29T12:00:00Z',
          '2030-06-30T23:59:60Z',
          '2031-12-31T23:59:60Z',
          '2030-12-31T23:59:60.5Z',
          '2031-01-01T00:00:00.123456789Z',
          '2038-01-19T03:14:08Z',
          '2100-02-28T23:59:59Z',
          '2262-04-11T23:47:16.854775807Z',
          '9999-12-31T23:59:59.999Z',
          '0000-01-01T00:00:00Z',
          '1970-01-01T00:00:00Z',
        ),
      },
    );

  const emails = (min: number, max: number, name: string | undefined): fc.Arbitrary<Value> =>
    fc.oneof(
      { weight: 3, arbitrary: fc.emailAddress().filter((e) => e.length >= min && e.length <= max) },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          'a@b.co',
          `${'x'.repeat(Math.max(1, max - 12))}@example.com`,
          'UPPER.Case@Example.COM',
          'first.last+tag@sub.example.co.uk',
          '"quoted local"@example.com',
          'user@[127.0.0.1]',
          'ünïcödé@example.com',
        ),
      },
      { weight: 2, arbitrary: harvested(name, 'guest@example.test') },
    );

  function harvested(name: string | undefined, fallback: string): fc.Arbitrary<Value> {
    return fc.nat().map((i) => (name === undefined ? fallback : new Harvested(name, i, fallback)));
  }

  function strings(s: JsonSchema, name: string | undefined): fc.Arbitrary<Value> {
    const min = typeof s.minLength === 'number' ? s.minLength : 0;
    const max = typeof s.maxLength === 'number' ? s.maxLength : 1000;
    if (s.format === 'uuid') return ids();
    if (s.format === 'date-time') return dateTimes();
    if (s.format === 'email') return emails(min, max, name);
    if (s.format === 'uri') return fc.constantFrom(...URIS);
    const short = Math.min(max, min + 24);
    return fc.oneof(
      { weight: 3, arbitrary: fc.string({ minLength: min, maxLength: short, unit: 'grapheme' }) },
      { weight: 1, arbitrary: fc.string({ minLength: min, maxLength: short, unit: 'binary' }) },
      { weight: 2, arbitrary: fc.constantFrom(...TRICKY_STRINGS).map((t) => fitLength(t, min, max)) },
      // Control characters and lone surrogates, which the units above rarely or never give.
      {
        weight: 4,
        arbitrary: fc.string({ minLength: 1, maxLength: 6, unit: CONTROL_UNITS }).map((t) => fitLength(t, min, max)),
      },
      // At each bound, in one-byte and in four-byte characters.
      {
        weight: 1,
        arbitrary: fc.constantFrom('a'.repeat(min), 'a'.repeat(max), '\u{1d11e}'.repeat(max), 'é'.repeat(max)),
      },
      { weight: 3, arbitrary: harvested(name, 'a'.repeat(Math.max(min, 1))) },
    );
  }

  function integers(s: JsonSchema): fc.Arbitrary<Value> {
    const min = typeof s.minimum === 'number' ? s.minimum : Number.MIN_SAFE_INTEGER;
    const max = typeof s.maximum === 'number' ? s.maximum : undefined;
    const edges = [min, max ?? min + 1, min + 1].filter((n) => max === undefined || n <= max);
    const arbitraries: fc.Arbitrary<Value>[] = [
      fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max ?? 2 ** 31, 2 ** 31) }),
      fc.constantFrom(...edges),
    ];
    // No maximum: every integer is valid, and integers past what a database column holds are too.
    if (max === undefined)
      arbitraries.push(fc.constantFrom(2 ** 31, 2 ** 53 - 1, 2 ** 53, 2 ** 63, 2 ** 64, 1e20, 1e300));
    return fc.oneof(...arbitraries);
  }

  function objects(
    s: JsonSchema,
    make: (schema: JsonSchema, name: string) => fc.Arbitrary<Value>,
  ): fc.Arbitrary<Value> {
    const properties = isObj(s.properties) ? (s.properties as Record<string, JsonSchema>) : {};
    const required = Array.isArray(s.required) ? (s.required as string[]) : [];
    const model = Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, make(schema, name)]));
    const minProperties = typeof s.minProperties === 'number' ? s.minProperties : 0;
    return fc
      .record(model, { requiredKeys: required })
      .filter((o) => Object.keys(o).length >= minProperties)
      .map((o) => o as Value);
  }

  function valid(schema: JsonSchema, name?: string): fc.Arbitrary<Value> {
    const s = resolve(schema);
    if (Array.isArray(s.oneOf))
      return fc.oneof(
        ...(s.oneOf as JsonSchema[]).map((branch) => valid({ ...s, oneOf: undefined, ...resolve(branch) }, name)),
      );
    if (Array.isArray(s.type)) return fc.oneof(...(s.type as string[]).map((type) => valid({ ...s, type }, name)));
    if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as Value[]));
    switch (s.type) {
      case 'null':
        return fc.constant(null);
      case 'boolean':
        return fc.boolean();
      case 'integer':
        return integers(s);
      case 'string':
        return strings(s, name);
      case 'array': {
        const items = isObj(s.items) ? (s.items as JsonSchema) : {};
        const minLength = typeof s.minItems === 'number' ? s.minItems : 0;
        const maxLength = Math.max(minLength, Math.min(typeof s.maxItems === 'number' ? s.maxItems : 3, 3));
        return s.uniqueItems === true
          ? fc.uniqueArray(valid(items, name), { minLength, maxLength, selector: (v) => JSON.stringify(v) })
          : fc.array(valid(items, name), { minLength, maxLength });
      }
      case 'object':
        return objects(s, (property, propertyName) => valid(property, propertyName));
      default:
        throw new Error(`no values for the schema ${JSON.stringify(s)}`);
    }
  }

  function invalidStrings(s: JsonSchema): Value[] {
    const min = typeof s.minLength === 'number' ? s.minLength : 0;
    const out: Value[] = [''];
    if (min > 0) out.push('a'.repeat(min - 1));
    if (typeof s.maxLength === 'number') out.push('a'.repeat(s.maxLength + 1), '\u{1d11e}'.repeat(s.maxLength + 1));
    if (s.format === 'uuid') {
      const id = '3c90c3cc-0d44-4b50-8888-8dd25736052a';
      out.push(
        'not-a-uuid',
        id.replace(/-/g, ''),
        `{${id}}`,
        `urn:uuid:${id}`,
        `${id}0`,
        id.slice(1),
        `g${id.slice(1)}`,
        ` ${id}`,
        id.replace('3', '٣'),
      );
    }
    if (s.format === 'date-time') {
      out.push(
        '2030-13-01T00:00:00Z',
        '2031-02-29T00:00:00Z',
        '2030-01-01',
        '2030-01-01T00:00:00',
        '2030-01-01T00:00:00+01:00',
        '2030-01-01T24:00:01Z',
        '2030-06-30T23:59:61Z',
        '2030-01-01t00:00:00z',
        'now',
        '+275760-09-13T00:00:00Z',
      );
    }
    if (s.format === 'email') out.push('no-at-sign', '@example.com', 'a@', 'a@@b.co', 'a b@c.de');
    if (s.format === 'uri') out.push('not a uri', '/relative/path', 'https://', 'https://exa mple.com/');
    return out;
  }

  function invalid(schema: JsonSchema, name?: string): fc.Arbitrary<Value> {
    const s = resolve(schema);
    const specific: Value[] = [];
    if (Array.isArray(s.enum)) {
      for (const v of s.enum as Value[])
        if (typeof v === 'string') specific.push(v.toUpperCase(), `${v} `, `${v}\u0000`, v.slice(1));
    }
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type];
    if (types.includes('string')) specific.push(...invalidStrings(s));
    if (types.includes('integer')) {
      if (typeof s.minimum === 'number') specific.push(s.minimum - 1);
      if (typeof s.maximum === 'number') specific.push(s.maximum + 1);
      // In a query these arrive as text; some parse as integers, most do not.
      specific.push(
        1.5,
        '1e1',
        '010',
        '+5',
        '5.0',
        ' 5',
        '0x10',
        '1_000',
        '５',
        'NaN',
        'Infinity',
        '-Infinity',
        '1e400',
        '-0',
        '',
      );
    }
    if (types.includes('boolean')) specific.push('TRUE', 'True', 'yes', '1', '0', 'on', '', 'null');
    if (types.includes('array')) {
      const item = isObj(s.items) ? valid(s.items as JsonSchema, name) : fc.constant<Value>('x');
      return fc.oneof(
        fc.constant<Value>([]),
        item.map((v) => [v, v]),
        invalid(isObj(s.items) ? (s.items as JsonSchema) : {}).map((v) => [v]),
        fc.constantFrom(...ANY_TYPE),
      );
    }
    const oneOfBranches = Array.isArray(s.oneOf)
      ? (s.oneOf as JsonSchema[]).map((branch) => invalid(branch, name))
      : [];
    return fc.oneof(
      { weight: 1, arbitrary: fc.constantFrom(...ANY_TYPE) },
      ...(specific.length > 0 ? [{ weight: 3, arbitrary: fc.constantFrom(...specific) }] : []),
      ...oneOfBranches.map((arbitrary) => ({ weight: 1, arbitrary })),
    );
  }

  function exemplar(schema: JsonSchema, name?: string): Value {
    let slot = 0;
    const make = (raw: JsonSchema, name: string | undefined): Value => {
      const s = resolve(raw);
      // Formats first: a contract example is one fixed id or a past date, not a usable value.
      if (s.format === 'uuid') return new IdRef('caller', slot++);
      if (s.format === 'date-time') return new FromNow(30 * DAY_MS);
      if (s.format === 'email') return 'guest@example.test';
      if (s.format === 'uri') return URIS[0] as string;
      if (s.default !== undefined) return s.default as Value;
      if (Array.isArray(s.enum)) return s.enum[0] as Value;
      if (Array.isArray(s.oneOf)) return make({ ...s, oneOf: undefined, ...resolve(s.oneOf[0] as JsonSchema) }, name);
      const type = Array.isArray(s.type) ? s.type[0] : s.type;
      switch (type) {
        case 'string': {
          const fallback = 'a'.repeat(Math.max(typeof s.minLength === 'number' ? s.minLength : 1, 1));
          return name === undefined ? fallback : new Harvested(name, 0, fallback);
        }
        case 'integer':
          return typeof s.minimum === 'number' ? s.minimum : 0;
        case 'boolean':
          return true;
        case 'null':
          return null;
        case 'array':
          return [make(isObj(s.items) ? (s.items as JsonSchema) : {}, name)];
        case 'object': {
          const properties = Object.entries(isObj(s.properties) ? (s.properties as Record<string, JsonSchema>) : {});
          const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
          const wanted = typeof s.minProperties === 'number' ? s.minProperties : 0;
          const chosen = properties.filter(([name], i) => required.has(name) || i < wanted);
          return Object.fromEntries(
            chosen.map(([property, propertySchema]) => [property, make(propertySchema, property)]),
          );
        }
        default:
          throw new Error(`no exemplar for the schema ${JSON.stringify(s)}`);
      }
    };
    return make(schema, name);
  }

  return { resolve, valid, invalid, exemplar };
}
