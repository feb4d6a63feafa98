// The promise of the operation table and of the views: change the contract, run `npm run
// generate`, and the compiler names exactly what must be written by hand (the handlers of new
// operations, the view entries of new fields); once they are written, everything else follows
// with no other edit. On one copy of the project, the contract gains a 204 DELETE and an
// idempotent POST, moves to another base path, changes a default, and gives HostConnection and
// GuestConnection a new nullable field whose column a migration adds; `npm run generate`, and
// the handlers and view entries the compiler asks for, are the only other changes. Then the
// copy's own app and client are run against it, on PGlite and (with TEST_DATABASE_URL) on
// PostgreSQL, in one process.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-database.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
// `node --import tsx`, not the tsx command, which starts a second Node process to run the first.
const tsx = (script: string) => [process.execPath, ['--import', 'tsx', script]] as const;

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

// The new field of both connection views: nullable, so every answer carries it, null or not.
const NOTE = { oneOf: [{ type: 'string', maxLength: 500 }, { type: 'null' }] };

function mutate(yaml: string): string {
  const document = parseDocument(yaml);
  for (const schema of ['HostConnection', 'GuestConnection']) {
    document.setIn(['components', 'schemas', schema, 'properties', 'note'], NOTE);
    document.addIn(['components', 'schemas', schema, 'required'], 'note');
  }
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
import { asHost } from '../../store/pair.js';
import type { OperationHandlers } from '../operation-types.js';

export const mutationHandlers = {
  async deleteGuestInvitation({ path }, { store, requester }) {
    await getGuestInvitation(store.db, asHost(requester.organizationId), path.invitation_id);
    return { status: 204 };
  },
  async remindGuestInvitation({ path }, { store, requester }) {
    return { status: 200, body: await getGuestInvitation(store.db, asHost(requester.organizationId), path.invitation_id) };
  },
} satisfies Pick<OperationHandlers, 'deleteGuestInvitation' | 'remindGuestInvitation'>;
`;

/** The migration of the new field's column. */
const migration = `import { sql, type Kysely, type Migration } from 'kysely';

export const connectionNotes: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql\`alter table connections add column note text default 'fresh'\`.execute(db);
  },
};
`;

/** Edits a file of the copy: each [from, to] must match once. */
async function edit(file: string, replacements: [string, string][]): Promise<void> {
  let source = await readFile(file, 'utf8');
  for (const [from, to] of replacements) {
    if (!source.includes(from)) throw new Error(`${file} has no ${from}`);
    source = source.replace(from, to);
  }
  await writeFile(file, source);
}

describe('a contract change on a copy of the project', () => {
  let dir: string;
  let scratch: ScratchDatabase | undefined;
  const inCopy = (file: string, args: readonly string[], env: Record<string, string> = {}) =>
    run(file, args, { cwd: dir, env: { ...process.env, NODE_ENV: 'test', ...env } });
  /** `npm run typecheck` of the copy: tsc's errors, one per line ('' when there are none). */
  const typecheck = () =>
    inCopy(process.execPath, ['node_modules/typescript-7/bin/tsc', '-p', 'tsconfig.json']).then(
      () => '',
      (error: { stdout: string }) => error.stdout,
    );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'connections-mutation-'));
    for (const entry of ['server', 'client', 'generated', 'scripts', 'openapi.yaml', 'package.json'])
      await cp(join(root, entry), join(dir, entry), { recursive: true });
    await symlink(join(root, 'node_modules'), join(dir, 'node_modules'));
    // The template of today's migrations, which the copy's first PGlite starts from (copied:
    // the copy's new template replaces the one it finds).
    await cp(join(root, 'pglite-template'), join(dir, 'pglite-template'), { recursive: true });
    const tsconfig = JSON.parse(await readFile(join(root, 'tsconfig.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ ...tsconfig, include: ['server', 'client', 'generated', 'scripts', 'check.ts'] }),
    );
    for (const check of ['check.ts', 'check-field.ts', 'copy-app.ts'])
      await cp(join(root, 'test/mutation', check), join(dir, check));
    // All a new field needs besides its view entries: the contract, a migration, `npm run generate`.
    await writeFile(join(dir, 'openapi.yaml'), mutate(await readFile(join(dir, 'openapi.yaml'), 'utf8')));
    await writeFile(join(dir, 'server/store/migrations/0009_connection_notes.ts'), migration);
    await inCopy(...tsx('scripts/generate.ts'));
    if (process.env.TEST_DATABASE_URL) scratch = await createScratchDatabase(process.env.TEST_DATABASE_URL, 'mutation');
  }, 120_000);

  afterAll(async () => {
    await scratch?.drop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('makes the compiler name the missing handlers and view entries, and nothing else', async () => {
    const output = await typecheck();
    const lines = output.split('\n').filter((line) => /error TS/.test(line));
    const views = lines.filter((line) => line.startsWith('server/store/views.ts('));
    expect(lines.filter((line) => !views.includes(line)).length).toBeGreaterThan(0);
    for (const line of lines.filter((line) => !views.includes(line)))
      expect(line).toMatch(/^server\/http\/handlers\/index\.ts\(/);
    expect(output).toContain('deleteGuestInvitation');
    expect(output).toContain('remindGuestInvitation');
    // One error per view that lacks the field, each naming it.
    expect(views).toHaveLength(2);
    for (const line of views) expect(line).toMatch(/Property 'note' is missing/);
  }, 120_000);

  // Written once, then checked by the compiler and run (both engines, one process) by the two tests below.
  let written: Promise<{ errors: string; seen: { contract: unknown; notes: unknown } }> | undefined;
  const writeAndRun = async () => {
    await writeFile(join(dir, 'server/http/handlers/mutation.ts'), handlers);
    await edit(join(dir, 'server/http/handlers/index.ts'), [
      ['import { probeHandlers }', "import { mutationHandlers } from './mutation.js';\nimport { probeHandlers }"],
      ['...probeHandlers,', '...probeHandlers,\n    ...mutationHandlers,'],
    ]);
    // One entry per view.
    await edit(join(dir, 'server/store/views.ts'), [
      [
        "  owner_email: connection.column('host_owner_email'),",
        "  owner_email: connection.column('host_owner_email'),\n  note: connection.column('note'),",
      ],
      [
        "  owner_email: connection.column('guest_owner_email'),",
        "  owner_email: connection.column('guest_owner_email'),\n  note: connection.column('note'),",
      ],
    ]);
    // The checks and tsc run side by side, each in a process of its own.
    const checks = inCopy(...tsx('check.ts'), scratch && { MUTATION_DATABASE_URL: scratch.url });
    const [errors, { stdout }] = await Promise.all([typecheck(), checks]);
    const seen = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { contract: unknown; notes: unknown };
    console.log(`mutation test: ${JSON.stringify(seen)}`);
    return { errors, seen };
  };
  const afterWriting = () => {
    written ??= writeAndRun();
    return written;
  };

  it('follows the contract everywhere once the handlers are written', async () => {
    const { errors, seen } = await afterWriting();
    expect(errors).toBe('');
    expect(seen.contract).toEqual({
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
  }, 120_000);

  it('brings a new field of both connection views into every answer, on both engines', async () => {
    const { errors, seen } = await afterWriting();
    expect(errors).toBe('');
    // The column's default on the new connection, then the value written to it in every other answer.
    const everywhere = {
      created: 'fresh',
      hostConnection: 'changed',
      hostConnections: 'changed',
      hostConnectionPatched: 'changed',
      guestConnection: 'changed',
      guestConnections: 'changed',
      guestConnectionPatched: 'changed',
    };
    expect(seen.notes).toEqual(
      scratch === undefined ? { pglite: everywhere } : { pglite: everywhere, postgres: everywhere },
    );
  }, 120_000);
});
