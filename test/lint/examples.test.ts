// The mock answers with the contract's examples, so they must tell the truth: no type
// placeholders where a value belongs, and every operation's 422 example names inputs of that
// operation (Prism answers a bad request with it; the real violation is in `sl-violations`).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ProblemError, type ErrorCode } from '../../server/domain/problems.js';
import { toProblem, type Problem } from '../../server/http/problem.js';

type Node = Record<string, unknown>;

const text = readFileSync(new URL('../../openapi.yaml', import.meta.url), 'utf8');
const document = parse(text) as Node;
const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Follows local `$ref`s (`#/components/...`) until a node without one. */
function deref(value: unknown): Node {
  let node = value;
  while (isNode(node) && typeof node.$ref === 'string') {
    node = node.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>(
        (at, key) => (isNode(at) ? at[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined),
        document,
      );
  }
  if (!isNode(node)) throw new Error(`not an object: ${JSON.stringify(value)}`);
  return node;
}

/** The properties a body schema names, through allOf/oneOf/anyOf. */
function properties(schema: Node): Map<string, Node> {
  const found = new Map<string, Node>();
  const resolved = deref(schema);
  for (const [name, property] of Object.entries(isNode(resolved.properties) ? resolved.properties : {}))
    found.set(name, deref(property));
  for (const key of ['allOf', 'oneOf', 'anyOf']) {
    const branches = resolved[key];
    if (Array.isArray(branches))
      for (const branch of branches)
        for (const [name, property] of properties(deref(branch))) found.set(name, property);
  }
  return found;
}

/** Whether a JSON pointer (`/a/b`) leads through the properties of one of the body schemas. */
function inBody(schemas: Node[], pointer: string): boolean {
  const segments = pointer.split('/').slice(1);
  return schemas.some((schema) => {
    let current: Node | undefined = schema;
    for (const segment of segments) current = current === undefined ? undefined : properties(current).get(segment);
    return current !== undefined && segments.length > 0;
  });
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const operations = Object.entries(deref(document.paths)).flatMap(([path, rawItem]) => {
  const item = deref(rawItem);
  return METHODS.filter((method) => isNode(item[method])).map((method) => {
    const operation = deref(item[method]);
    const parameters = [
      ...(Array.isArray(item.parameters) ? item.parameters : []),
      ...(Array.isArray(operation.parameters) ? operation.parameters : []),
    ].map(deref);
    const body = isNode(operation.requestBody) ? deref(operation.requestBody) : undefined;
    const bodySchemas = Object.values(isNode(body?.content) ? body.content : {}).map((media) =>
      deref(deref(media).schema),
    );
    return { id: String(operation.operationId), path, operation, parameters, bodySchemas };
  });
});

/** Every example of a response, whether `example` or `examples`. */
function examplesOf(response: Node): Problem[] {
  return Object.values(isNode(response.content) ? response.content : {}).flatMap((rawMedia) => {
    const media = deref(rawMedia);
    const named = isNode(media.examples) ? Object.values(media.examples).map((example) => deref(example).value) : [];
    return [...(media.example === undefined ? [] : [media.example]), ...named] as Problem[];
  });
}

describe('the examples of openapi.yaml', () => {
  it('hold values, not type placeholders such as <string>', () => {
    expect(text.match(/<(string|integer|number|boolean|uuid|date-time|email)>/g) ?? []).toEqual([]);
  });

  it.each(operations.map((o) => [o.id, o] as const))(
    '%s: its 422 examples name only its own inputs',
    (_id, { operation, parameters, bodySchemas }) => {
      const responses = deref(operation.responses);
      const content = deref(responses['422']).content;
      expect(Object.keys(isNode(content) ? content : {}), 'documents 422 as a problem').toEqual([
        'application/problem+json',
      ]);
      const problems = examplesOf(deref(responses['422']));
      const failures = problems.filter((problem) => problem.code === 'validation_failed');
      expect(failures.length, 'has a validation_failed example').toBeGreaterThan(0);
      const isParameter = (location: string, name: string) =>
        parameters.some((p) => p.in === location && String(p.name).toLowerCase() === name.toLowerCase());
      for (const problem of failures) {
        expect(problem.errors.length).toBeGreaterThan(0);
        expect(problem.detail).toBe(
          `${problem.errors.length} ${problem.errors.length === 1 ? 'input is' : 'inputs are'} invalid.`,
        );
        for (const error of problem.errors) {
          const known =
            error.location === 'body' ? inBody(bodySchemas, error.pointer) : isParameter(error.location, error.pointer);
          // An unknown input is the one kind of failure that names what the operation lacks.
          expect({ ...error, known }).toEqual({ ...error, known: error.message !== 'is not allowed' });
        }
      }
    },
  );

  it('give each error code the status, title and type the server answers it with', () => {
    const found: { code: ErrorCode; status: unknown; title: unknown; type: unknown }[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) for (const item of node) walk(item);
      if (!isNode(node)) return;
      if (typeof node.code === 'string' && 'title' in node && 'status' in node) {
        found.push({ code: node.code as ErrorCode, status: node.status, title: node.title, type: node.type });
      }
      for (const value of Object.values(node)) walk(value);
    };
    walk(document);
    expect(found.length).toBeGreaterThan(20);
    for (const { code, ...example } of found) {
      const { status, title, type } = toProblem(new ProblemError(code, ''));
      expect(example, code).toEqual({ status, title, type });
    }
  });
});
