// Proves that `redocly.yaml` passes the real contract and that each of its rules fails a copy
// of the contract with exactly one violation. Redocly starts slowly (~2 s), so the contract and
// all broken copies go through one run: per file, the problems must come from the expected rule only.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

type Node = Record<string, unknown>;

/** The object at `keys` in the document; throws when the contract no longer has it. */
function at(document: Node, ...keys: string[]): Node {
  let node: unknown = document;
  for (const key of keys) {
    node = typeof node === 'object' && node !== null ? (node as Node)[key] : undefined;
    if (typeof node !== 'object' || node === null) throw new Error(`contract has no ${keys.join(' > ')}`);
  }
  return node as Node;
}
const list = (node: Node, key: string): unknown[] => {
  const value = node[key];
  if (!Array.isArray(value)) throw new Error(`${key} is not a list`);
  return value;
};
interface LintProblem {
  ruleId: string;
  severity: string;
  location: { source: { ref: string }; pointer: string }[];
}

/** One broken copy of the contract per rule; each mutation introduces exactly one violation. */
const violations: Record<string, { rule: string; mutate: (d: Node) => void }> = {
  'path-level-header-missing': {
    rule: 'connections/organization-headers',
    mutate: (d) => list(at(d, 'paths', '/host-connections/{host_org_id}'), 'parameters').splice(1, 1),
  },
  'operation-header-missing': {
    rule: 'connections/organization-headers',
    mutate: (d) => list(at(d, 'paths', '/host-connections', 'post'), 'parameters').splice(0, 1),
  },
  'scenarios-missing': {
    rule: 'connections/operation-scenarios',
    mutate: (d) => delete at(d, 'paths', '/guest-connections', 'get')['x-scenarios'],
  },
  'scenario-unknown': {
    rule: 'connections/operation-scenarios',
    mutate: (d) => (at(d, 'paths', '/organizations/{org_id}', 'get')['x-scenarios'] = ['self', 'admin']),
  },
  'scenarios-on-public-operation': {
    rule: 'connections/operation-scenarios',
    mutate: (d) => (at(d, 'paths', '/healthz', 'get')['x-scenarios'] = ['self']),
  },
  // Its own scheme (the metrics token) is no API token: no scenarios, and no organization headers asked for.
  'scenarios-on-metrics': {
    rule: 'connections/operation-scenarios',
    mutate: (d) => (at(d, 'paths', '/metrics', 'get')['x-scenarios'] = ['self']),
  },
  // Naming the API's scheme itself is as secured as inheriting it.
  'explicitly-secured-without-scenarios': {
    rule: 'connections/operation-scenarios',
    mutate: (d) => {
      const operation = at(d, 'paths', '/host-connections', 'post');
      operation.security = [{ bearerAuth: [] }];
      delete operation['x-scenarios'];
    },
  },
  '4xx-json-beside-problem': {
    rule: 'rule/problem-json-4xx',
    mutate: (d) => {
      const content = at(d, 'components', 'responses', 'Forbidden', 'content');
      content['application/json'] = content['application/problem+json'];
    },
  },
  '4xx-without-content': {
    rule: 'rule/problem-json-4xx',
    mutate: (d) => delete at(d, 'paths', '/host-connections', 'post', 'responses', '410').content,
  },
  'no-4xx-documented': {
    rule: 'operation-4xx-response',
    mutate: (d) => {
      const responses = at(d, 'paths', '/organizations/{org_id}', 'get', 'responses');
      for (const status of Object.keys(responses)) if (status.startsWith('4')) delete responses[status];
    },
  },
  'operation-id-missing': {
    rule: 'operation-operationId',
    mutate: (d) => delete at(d, 'paths', '/guest-connections', 'get').operationId,
  },
  'summary-missing': {
    rule: 'operation-summary',
    mutate: (d) => delete at(d, 'paths', '/guest-connections', 'get').summary,
  },
  'description-missing': {
    rule: 'operation-description',
    mutate: (d) => delete at(d, 'paths', '/guest-connections', 'get').description,
  },
  'example-with-unknown-property': {
    rule: 'no-invalid-media-type-examples',
    mutate: (d) =>
      (at(
        d,
        'paths',
        '/organizations/{org_id}',
        'get',
        'responses',
        '200',
        'content',
        'application/json',
        'example',
      ).extra = 1),
  },
  'schema-example-invalid': {
    rule: 'no-invalid-schema-examples',
    mutate: (d) => (at(d, 'components', 'schemas', 'Uuid').examples = ['not-a-uuid']),
  },
  'parameter-example-invalid': {
    rule: 'no-invalid-parameter-examples',
    mutate: (d) => (at(d, 'components', 'parameters', 'IdempotencyKey').example = 'k'.repeat(256)),
  },
  // The webhooks section is linted like the paths.
  'webhook-summary-missing': {
    rule: 'operation-summary',
    mutate: (d) => delete at(d, 'webhooks', 'connection_action.resolved', 'post').summary,
  },
  'webhook-event-unused': {
    rule: 'no-unused-components',
    mutate: (d) => delete at(d, 'webhooks')['connection_action.resolved'],
  },
};

/** Every problem Redocly reports for `files`, linted in one run; throws unless it reported on each file. */
async function lint(files: string[]): Promise<LintProblem[]> {
  const args = ['lint', ...files, '--config', join(root, 'redocly.yaml'), '--format', 'json', '--max-problems', '1000'];
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off' };
  // It exits 1 when any file has an error: the report is on stdout either way.
  const { stdout } = await run(join(root, 'node_modules/.bin/redocly'), args, {
    cwd: root,
    env,
    maxBuffer: 64 << 20,
  }).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
  // One JSON report per file, concatenated: each top-level object closes at column 0.
  const reports = JSON.parse(`[${stdout.trim().replace(/\n\}\{\n/g, '\n},{\n')}]`) as { problems: LintProblem[] }[];
  if (reports.length !== files.length)
    throw new Error(`Redocly reported on ${reports.length} of ${files.length} files`);
  return reports.flatMap((r) => r.problems);
}

describe('redocly.yaml', () => {
  let dir: string;
  // One run over the real contract and every broken copy: per file, the problems it reported.
  let problemsOf: (file: string) => LintProblem[];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'contract-lint-'));
    const text = await readFile(join(root, 'openapi.yaml'), 'utf8');
    const copies = await Promise.all(
      Object.entries(violations).map(async ([name, { mutate }]) => {
        const document = parse(text) as Node;
        mutate(document);
        const file = join(dir, `${name}.json`);
        await writeFile(file, JSON.stringify(document, null, 2));
        return file;
      }),
    );
    const problems = await lint([join(root, 'openapi.yaml'), ...copies]);
    problemsOf = (file) => problems.filter((p) => p.location[0]?.source.ref.endsWith(`/${file}`));
    // One Redocly run over a 4,000-line contract and its broken copies: on a loaded machine it
    // needs more than the default 20 s.
  }, 60_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('the contract passes with no problem at all (warnings included)', () => {
    expect(problemsOf('openapi.yaml')).toEqual([]);
  });

  test('each rule fails a copy of the contract with one violation of it', () => {
    const found = Object.fromEntries(
      Object.keys(violations).map((name) => [
        name,
        [...new Set(problemsOf(`${name}.json`).map((p) => `${p.severity} ${p.ruleId}`))],
      ]),
    );
    const expected = Object.fromEntries(
      Object.entries(violations).map(([name, { rule }]) => [name, [`error ${rule}`]]),
    );
    expect(found).toEqual(expected);
  });
});
