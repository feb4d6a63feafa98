// The breaking-change gate (`npm run contract:diff`): each kind of break, made in a copy of
// the contract, fails it; changes that keep old clients working pass, and so does the real
// contract against the released one.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { classifyChanges } from '../../scripts/contract/breaking-changes.js';

type Schema = {
  type?: unknown;
  properties: Record<string, unknown>;
  required: string[];
  enum: string[];
  maximum?: number;
};
type Parameter = { name: string; in: string; required?: boolean; schema: Schema };
type Contract = {
  paths: Record<string, Record<string, { parameters: Parameter[] }>>;
  components: { schemas: Record<string, Schema>; parameters: Record<string, Parameter> };
};

const root = path.join(import.meta.dirname, '../..');
let text: string;
const contract = () => parse(text) as Contract;
const listHostConnections = (c: Contract) => c.paths['/host-connections']?.get as { parameters: Parameter[] };
const schema = (c: Contract, name: string) => c.components.schemas[name] as Schema;

beforeAll(async () => {
  text = await readFile(path.join(root, 'openapi.yaml'), 'utf8');
});

const breaks: [kind: string, change: (c: Contract) => void, reported: RegExp][] = [
  [
    'an operation removed',
    (c) => delete c.paths['/host-connections']?.get,
    /\[Removed\] operation GET \/host-connections/,
  ],
  [
    'a response field removed',
    (c) => {
      const connection = schema(c, 'HostConnection');
      delete connection.properties.host_email;
      connection.required = connection.required.filter((field) => field !== 'host_email');
    },
    /host_email/,
  ],
  [
    'a request type narrowed',
    (c) =>
      (schema(c, 'CreateHostConnectionRequest').properties.invitation_token = {
        type: 'string',
        minLength: 10,
        maxLength: 2000,
      }),
    /invitation_token/,
  ],
  ['a request range narrowed', (c) => ((c.components.parameters.Limit as Parameter).schema.maximum = 50), /maximum/],
  [
    'a new required request field',
    (c) => {
      const request = schema(c, 'CreateHostConnectionRequest');
      request.properties.note = { type: 'string' };
      request.required.push('note');
    },
    /note/,
  ],
  [
    'a new required parameter',
    (c) =>
      listHostConnections(c).parameters.push({
        name: 'region',
        in: 'query',
        required: true,
        schema: { type: 'string' } as Schema,
      }),
    /region/,
  ],
  [
    'an enum value removed from a request',
    (c) => {
      const searchField = listHostConnections(c).parameters.find((parameter) => parameter.name === 'search_field');
      searchField?.schema.enum.pop();
    },
    /search_field/,
  ],
  [
    'credentials required where none were',
    (c) => {
      const operation = c.paths['/oauth2/token']?.post as unknown as { security: unknown[] };
      operation.security = [{ clientSecretBasic: [] }];
    },
    /security/,
  ],
];

describe('the breaking-change gate', () => {
  it.each(breaks)('fails on %s', (_kind, change, reported) => {
    const broken = contract();
    change(broken);
    const { breaking } = classifyChanges(contract(), broken);
    expect(breaking.length).toBeGreaterThan(0);
    expect(breaking.map((b) => b.description).join('\n')).toMatch(reported);
  });

  it('passes changes that keep old clients working: an optional request field, a new operation, a new response field, a new error code', () => {
    const grown = contract();
    schema(grown, 'CreateHostConnectionRequest').properties.note = { type: 'string' };
    grown.paths['/host-connections/{host_org_id}/notes'] = { get: structuredClone(listHostConnections(grown)) };
    const connection = schema(grown, 'HostConnection');
    connection.properties.nickname = { type: 'string' };
    connection.required.push('nickname');
    schema(grown, 'ErrorCode').enum.push('rate_limited');
    expect(classifyChanges(contract(), grown).breaking).toEqual([]);
  });

  it('passes a security alternative added beside the anonymous one: a request without it still passes', () => {
    const grown = contract();
    const token = grown.paths['/oauth2/token']?.post as unknown as { security: unknown[] };
    token.security = [{}, { clientSecretBasic: [] }, { metricsToken: [] }];
    const before = contract();
    (before.paths['/oauth2/token']?.post as unknown as { security: unknown[] }).security = [];
    expect(classifyChanges(before, grown).breaking).toEqual([]);
  });
});

describe('npm run contract:diff', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'connections-contract-diff-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function contractDiff(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'scripts/contract-diff.ts', ...args],
        { cwd: root },
        (error, stdout, stderr) => {
          resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
        },
      );
    });
  }

  it('passes openapi.yaml against contract/released.yaml, and exits 1 naming the break in a broken copy', async () => {
    const real = await contractDiff([]);
    expect(real.stdout, real.stderr).toMatch(
      /^contract:diff: openapi\.yaml is compatible with contract\/released\.yaml/,
    );
    expect(real.code).toBe(0);

    const broken = contract();
    delete broken.paths['/host-connections']?.get;
    const file = path.join(dir, 'broken.yaml');
    await writeFile(file, stringify(broken));
    const run = await contractDiff(['--current', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /breaks clients of contract\/released\.yaml \(version [\d.]+\) in 1 place\(s\):\n {2}\[Removed\] operation GET \/host-connections {2}at #\/paths\/~1host-connections\/get\n/,
    );
  }, 60_000);
});
