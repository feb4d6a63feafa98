// The promise of the operation table: change the contract, run `npm run generate`, and the
// compiler names exactly what must be written by hand (the handlers of new operations); once
// they are written, everything else follows with no other edit. On a copy of the project, the
// contract gains a 204 DELETE and an idempotent POST, moves to another base path and changes a
// default; then the copy's own app and client are run against it.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const bin = (name: string) => join(root, 'node_modules/.bin', name);

const ref = (name: string) => ({ $ref: `#/components/responses/${name}` });
// The contract has no shared 422 response (each operation's example names its own inputs).
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});
const errors = {
  '400': ref('MalformedRequest'),
  '401': ref('Unauthorized'),
  '403': ref('Forbidden'),
  '404': ref('InvitationNotFound'),
  '422': problem('One or more inputs are invalid.'),
  '429': ref('TooManyRequests'),
  '431': ref('RequestHeaderFieldsTooLarge'),
  '500': ref('InternalError'),
  '503': ref('ServiceUnavailable'),
};
const invitation = {
  description: 'The invitation.',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Invitation' } } },
};

function mutate(yaml: string): string {
  const document = parseDocument(yaml);
  document.setIn(['servers', 0, 'url'], 'http://127.0.0.1:3000/v2');
  document.setIn(['components', 'parameters', 'Limit', 'schema', 'default'], 20);
  document.setIn(['paths', '/guest-invitations/{invitation_id}', 'delete'], {
    operationId: 'deleteGuestInvitation',
    tags: ['Guest invitations'],
    summary: 'Delete an invitation',
    description: 'Deletes one of the host’s invitations.',
    'x-scenarios': ['self'],
    responses: { '204': { description: 'Deleted.' }, ...errors },
  });
  document.setIn(['paths', '/guest-invitations/{invitation_id}/reminders'], {
    post: {
      operationId: 'remindGuestInvitation',
      tags: ['Guest invitations'],
      summary: 'Remind the guest',
      description: 'Sends the invitation again.',
      'x-scenarios': ['self'],
      parameters: [
        { $ref: '#/components/parameters/RequesterOrganizationId' },
        { $ref: '#/components/parameters/TargetOrganizationId' },
        { $ref: '#/components/parameters/IdempotencyKey' },
        { name: 'invitation_id', in: 'path', required: true, schema: { $ref: '#/components/schemas/Uuid' } },
      ],
      responses: { '200': invitation, ...errors },
    },
  });
  return document.toString();
}

const handlers = `import { getGuestInvitation } from '../../domain/guest-invitations.js';
import type { OperationHandlers } from '../operation-types.js';

export const mutationHandlers = {
  async deleteGuestInvitation({ path }, { store, requester }) {
    await getGuestInvitation(store.db, requester.organizationId, path.invitation_id);
    return { status: 204 };
  },
  async remindGuestInvitation({ path }, { store, requester }) {
    return { status: 200, body: await getGuestInvitation(store.db, requester.organizationId, path.invitation_id) };
  },
} satisfies Pick<OperationHandlers, 'deleteGuestInvitation' | 'remindGuestInvitation'>;
`;

describe('a contract change on a copy of the project', () => {
  let dir: string;
  const inCopy = (file: string, args: string[]) =>
    run(file, args, { cwd: dir, env: { ...process.env, NODE_ENV: 'test' } });
  // Incremental: the second run re-checks only what the handlers changed.
  const typecheck = () =>
    inCopy(bin('tsc'), [
      '-p',
      'tsconfig.json',
      '--pretty',
      'false',
      '--incremental',
      '--tsBuildInfoFile',
      '.tsbuildinfo',
    ]).then(
      () => '',
      (error: { stdout: string }) => error.stdout,
    );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'connections-mutation-'));
    for (const entry of ['server', 'client', 'generated', 'scripts', 'openapi.yaml', 'package.json'])
      await cp(join(root, entry), join(dir, entry), { recursive: true });
    await symlink(join(root, 'node_modules'), join(dir, 'node_modules'));
    const tsconfig = JSON.parse(await readFile(join(root, 'tsconfig.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ ...tsconfig, include: ['server', 'client', 'generated', 'scripts', 'check.ts'] }),
    );
    await cp(join(root, 'test/mutation/check.ts'), join(dir, 'check.ts'));
    await writeFile(join(dir, 'openapi.yaml'), mutate(await readFile(join(dir, 'openapi.yaml'), 'utf8')));
    await inCopy(bin('tsx'), ['scripts/generate.ts']);
  }, 120_000);

  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('makes the compiler name the missing handlers, and nothing else', async () => {
    const output = await typecheck();
    const lines = output.split('\n').filter((line) => /error TS/.test(line));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^server\/http\/handlers\/index\.ts\(/);
    expect(output).toContain('deleteGuestInvitation');
    expect(output).toContain('remindGuestInvitation');
  }, 120_000);

  it('follows the contract everywhere once the handlers are written', async () => {
    await writeFile(join(dir, 'server/http/handlers/mutation.ts'), handlers);
    const index = join(dir, 'server/http/handlers/index.ts');
    const source = await readFile(index, 'utf8');
    await writeFile(
      index,
      source
        .replace(
          'import { probeHandlers }',
          "import { mutationHandlers } from './mutation.js';\nimport { probeHandlers }",
        )
        .replace('...probeHandlers,', '...probeHandlers,\n    ...mutationHandlers,'),
    );
    expect(await typecheck()).toBe('');

    const { stdout } = await inCopy(bin('tsx'), ['check.ts']);
    const seen = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    console.log(`mutation test: ${JSON.stringify(seen)}`);
    expect(seen).toEqual({
      // The changed default: 20 per page, not 50.
      listed: 20,
      total: 21,
      // The new idempotent POST gets a key from the client, with no client change.
      reminder: { status: 200, idempotencyKey: true },
      // The 204 goes out without a body or content-type, and passes response checking.
      deleted: { status: 204, contentType: null, body: '' },
      // Probes stay at the root, whatever the API's base path.
      health: { status: 200, url: 'http://api.example.test/healthz' },
      // The API moved to /v2: /v1 is no route any more.
      oldBasePath: 404,
      // The new operation is secured and its scenarios enforced like every other.
      deleteWithoutToken: 401,
      deleteForStranger: 403,
    });
  }, 180_000);
});
