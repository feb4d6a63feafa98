// The packages as people install them. `npm pack` (which builds through `prepack`), then
// `npm run pack:client -- --built` from the same dist/, each make a tarball; each is installed
// from npm's cache into an empty project outside the repository, and every export is imported
// and used from there: the client against the Prism mock, the types under tsc, the server's
// createApp answering /readyz. Then the installed package's compiled server runs as `npm run
// start:prod`, and its /docs renders in Chromium. One build per run: everything that needs dist/
// is in this file.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { childPids, killRunningServers, type RunningServer, startServer } from '../process/server-process.js';
import { chromiumUnavailable, launchChromium, requestsLeaving } from '../support/chromium.js';
import { adminOrganizations, runCommand } from '../support/conformance-command.js';
import { createScratchDatabase } from '../support/scratch-database.js';
import { frontendPackages, frontendScript } from './frontend.js';
import { installInto, type Run, repo, run, runScript, treeSize, typecheck } from './projects.js';

const MiB = 1024 * 1024;
// The server's dependencies measure about 50 MiB, the package 7, Scalar's bundle 4 of them.
const MAX_SERVER_NODE_MODULES = 64 * MiB;
const MAX_CLIENT_NODE_MODULES = 2 * MiB;

let work: string;
let server: { tarball: string; files: string[]; project: string; installed: Run };
let client: { tarball: string; stdout: string; project: string; installed: Run };
let frontendProject: string;

type PackReport = { filename: string; files: { path: string }[] }[];

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'connections-pack-'));
  const packed = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: repo });
  const clientArgs = ['run', '--silent', 'pack:client', '--', '--pack-destination', work, '--built'];
  const clientPacked = await run('npm', clientArgs, { cwd: repo });
  const [report] = JSON.parse(packed.stdout) as PackReport;
  if (report === undefined) throw new Error(`npm pack reported nothing:\n${packed.stdout}`);
  server = {
    tarball: path.join(work, report.filename),
    files: report.files.map((f) => f.path),
    project: path.join(work, 'server-consumer'),
    installed: { stdout: '', stderr: '' },
  };
  client = {
    tarball: clientPacked.stdout.trim().split('\n').at(-1) ?? '',
    stdout: clientPacked.stdout,
    project: path.join(work, 'client-consumer'),
    installed: { stdout: '', stderr: '' },
  };
  frontendProject = path.join(work, 'frontend-consumer');
  [server.installed, client.installed] = await Promise.all([
    installInto(server.project, server.tarball),
    installInto(client.project, client.tarball),
    installInto(frontendProject, client.tarball, await frontendPackages()),
  ]);
}, 300_000);

afterAll(async () => {
  await killRunningServers();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

const contract = async () => parse(await readFile(path.join(repo, 'openapi.yaml'), 'utf8')) as ContractDocument;
type ContractDocument = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content: Record<string, { example?: unknown }> }> }>
  >;
};

/** Calls the mock the way a user of either package would; prints what came back. */
const clientScript = (packageName: string) => `
import { createConnectionsClient } from '${packageName}';
const orgId = '3c90c3cc-0d44-4b50-8888-8dd25736052a';
const client = createConnectionsClient({ baseUrl: process.env.MOCK_URL, requesterOrganizationId: orgId, token: 'mock-token' });
const { data, error, response } = await client.GET('/organizations/{org_id}', { params: { path: { org_id: orgId } } });
console.log(JSON.stringify({ status: response.status, data, error }));
`;

async function expectMockAnswer(project: string, packageName: string): Promise<void> {
  const answer = await runScript(project, 'client.mjs', clientScript(packageName), {
    MOCK_URL: inject('prismMockUrl'),
  });
  const example = (await contract()).paths['/organizations/{org_id}']?.get?.responses['200']?.content[
    'application/json'
  ]?.example;
  expect(example).toMatchObject({ id: '3c90c3cc-0d44-4b50-8888-8dd25736052a', name: expect.any(String) });
  expect(answer).toEqual({ status: 200, data: example });
}

// Each test starts node or tsc in another project; on a loaded machine that takes a while.
const slow = { timeout: 120_000 };

describe('the connections-api package (npm pack)', slow, () => {
  it('ships dist/ with the compiled server and client, the contract, the generated types, the PGlite template and a LICENSE', async () => {
    expect(server.files).toEqual(
      expect.arrayContaining([
        'LICENSE',
        'README.md',
        'CHANGELOG.md',
        'package.json',
        'dist/openapi.yaml',
        'dist/generated/openapi.d.ts',
        'dist/generated/openapi.json',
        'dist/client/index.js',
        'dist/client/index.d.ts',
        'dist/server/index.js',
        'dist/server/index.d.ts',
        'dist/server/main.js',
        'dist/api-reference/standalone.js',
        'dist/api-reference/LICENSE',
        'dist/conformance/cli.js',
        expect.stringMatching(/^pglite-template\/pglite-[\d.]+-[0-9a-f]{12}\.tar\.gz$/),
      ]),
    );
    // Nothing of the repository but what is listed: no sources, tests or scripts.
    expect(
      server.files.filter(
        (file) => !/^(dist\/|pglite-template\/|LICENSE$|README\.md$|CHANGELOG\.md$|package\.json$)/.test(file),
      ),
    ).toEqual([]);
    const installed = path.join(server.project, 'node_modules/connections-api');
    expect(await readFile(path.join(installed, 'dist/openapi.yaml'), 'utf8')).toBe(
      await readFile(path.join(repo, 'openapi.yaml'), 'utf8'),
    );
    expect(await readFile(path.join(installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(await readFile(path.join(installed, 'dist/api-reference/LICENSE'), 'utf8')).toMatch(
      /^MIT License\s+Copyright \(c\) .* Scalar$/m,
    );
  });

  it(`installs with --omit=dev in at most ${MAX_SERVER_NODE_MODULES / MiB} MiB, without Scalar's packages, and npm warns of no engine`, async () => {
    expect(`${server.installed.stdout}${server.installed.stderr}`).not.toMatch(/EBADENGINE/);
    expect(existsSync(path.join(server.project, 'node_modules/@scalar'))).toBe(false);
    expect(await treeSize(path.join(server.project, 'node_modules'))).toBeLessThanOrEqual(MAX_SERVER_NODE_MODULES);
  });

  it('exports the client (. and ./client), which answers from the Prism mock', async () => {
    await expectMockAnswer(server.project, 'connections-api');
    const same = await runScript(
      server.project,
      'same.mjs',
      `import * as root from 'connections-api'; import * as sub from 'connections-api/client';
       console.log(JSON.stringify({ same: root.createConnectionsClient === sub.createConnectionsClient, names: Object.keys(root).sort() }));`,
    );
    expect(same).toEqual({
      same: true,
      names: expect.arrayContaining(['createConnectionsClient', 'ConnectionsApiError', 'isProblem']),
    });
  });

  it('exports ./server: createApp on a store from openMemoryDatabase answers /readyz', async () => {
    const answer = await runScript(
      server.project,
      'server.mjs',
      `import { createApp, migrateToLatest, openMemoryDatabase } from 'connections-api/server';
       const store = await openMemoryDatabase();
       await migrateToLatest(store.db);
       const app = createApp({ store, jwtSecret: 'consumer-test-secret-0123456789abcdef', log: () => {} });
       const response = await app.request('/readyz');
       console.log(JSON.stringify({ status: response.status, body: await response.json() }));
       await store.close();`,
    );
    expect(answer).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('exports ./webhooks: verifyWebhook takes an event signed by standardwebhooks and refuses it tampered', async () => {
    const answer = await runScript(
      server.project,
      'webhooks.mjs',
      `import { readFileSync } from 'node:fs';
       import { Webhook } from 'standardwebhooks';
       import { verifyWebhook } from 'connections-api/webhooks';
       const contract = JSON.parse(readFileSync(new URL(import.meta.resolve('connections-api/package.json')).pathname.replace('package.json', 'dist/generated/openapi.json'), 'utf8'));
       const body = JSON.stringify(contract.components.examples.GuestConnectionCreatedEvent.value);
       const secret = 'whsec_' + Buffer.alloc(24, 7).toString('base64');
       const at = new Date();
       const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(at / 1000)), 'webhook-signature': new Webhook(secret).sign('msg_1', at, body) };
       const refused = (text) => { try { verifyWebhook(text, headers, secret); return false; } catch (error) { return error.name === 'WebhookRejected'; } };
       console.log(JSON.stringify({ type: verifyWebhook(body, headers, secret).type, tamperedRefused: refused(body.replace('}', ', "x": 1}')) }));`,
    );
    expect(answer).toEqual({ type: 'guest_connection.created', tamperedRefused: true });
  });

  it('exports ./openapi.yaml, the contract itself', async () => {
    const answer = await runScript(
      server.project,
      'contract.mjs',
      `import { readFileSync } from 'node:fs';
       console.log(JSON.stringify(readFileSync(new URL(import.meta.resolve('connections-api/openapi.yaml')), 'utf8')));`,
    );
    expect(answer).toBe(await readFile(path.join(repo, 'openapi.yaml'), 'utf8'));
  });

  it('exports types that compile, and refuse what the contract does not allow', async () => {
    await typecheck(
      server.project,
      'check.ts',
      `import type { components, operations, paths } from 'connections-api/types';
       import { createConnectionsClient, type ConnectionsClient, type ErrorCode } from 'connections-api';
       import type { ConnectionsClient as SameClient } from 'connections-api/client';
       import { createApp, migrateToLatest, openDatabase, type OperationHandlers, type Store } from 'connections-api/server';

       export const status: components['schemas']['ConnectionStatus'] = 'connected';
       // @ts-expect-error not a status of the contract
       export const notStatus: components['schemas']['ConnectionStatus'] = 'pending';
       export type CreateBody = operations['createHostConnection']['requestBody']['content']['application/json'];
       // @ts-expect-error host_organization_id is required
       export const noHost: CreateBody = { invitation_token: null };
       export type Paths = keyof paths;
       // @ts-expect-error not a path of the contract
       export const notPath: Paths = '/nowhere';

       export const client: SameClient = createConnectionsClient({ baseUrl: 'http://127.0.0.1:3000/v1', requesterOrganizationId: 'x', token: 't' });
       export async function organizationName(c: ConnectionsClient, id: string): Promise<string | undefined> {
         const { data } = await c.GET('/organizations/{org_id}', { params: { path: { org_id: id } } });
         // @ts-expect-error organizations have no such field
         void data?.nickname;
         return data?.name;
       }
       export const code: ErrorCode = 'validation_failed';
       // @ts-expect-error not an error code of the contract
       export const notCode: ErrorCode = 'oops';

       export async function start(): Promise<ReturnType<typeof createApp>> {
         const store: Store = await openDatabase({ dataDir: './.data' });
         await migrateToLatest(store.db);
         return createApp({ store, jwtSecret: 'x'.repeat(32) });
       }
       // @ts-expect-error createApp needs a store
       createApp({ jwtSecret: 'x' });
       export type Handlers = keyof OperationHandlers;
       // @ts-expect-error not an operationId
       export const notHandler: Handlers = 'nope';`,
    );
  });
});

describe('the connections-api-client package (npm run pack:client -- --built)', slow, () => {
  it('prints the tarball path as the last line, and installs with openapi-fetch as its only dependency, in at most 2 MiB, with no engine warning', async () => {
    expect(`${client.installed.stdout}${client.installed.stderr}`).not.toMatch(/EBADENGINE/);
    expect(client.tarball).toMatch(/connections-api-client-[\d.]+\.tgz$/);
    expect(path.dirname(client.tarball)).toBe(work);
    const manifest = JSON.parse(
      await readFile(path.join(client.project, 'node_modules/connections-api-client/package.json'), 'utf8'),
    ) as {
      dependencies: Record<string, string>;
    };
    expect(Object.keys(manifest.dependencies)).toEqual(['openapi-fetch']);
    const installed = (await readdir(path.join(client.project, 'node_modules'))).filter(
      (name) => !name.startsWith('.'),
    );
    expect(installed.sort()).toEqual(['connections-api-client', 'openapi-fetch', 'openapi-typescript-helpers']);
    const size = await treeSize(path.join(client.project, 'node_modules'));
    expect(size).toBeLessThanOrEqual(MAX_CLIENT_NODE_MODULES);
  });

  it('exports the same createConnectionsClient as connections-api, which answers from the Prism mock', async () => {
    await expectMockAnswer(client.project, 'connections-api-client');
    const names = async (project: string, name: string) =>
      runScript(
        project,
        'names.mjs',
        `import * as root from '${name}'; console.log(JSON.stringify(Object.keys(root).sort()));`,
      );
    expect(await names(client.project, 'connections-api-client')).toEqual(
      await names(server.project, 'connections-api'),
    );
  });

  it('exports its types at the root and at ./types', async () => {
    await typecheck(
      client.project,
      'check.ts',
      `import { createConnectionsClient, type ConnectionsClient } from 'connections-api-client';
       import type { components } from 'connections-api-client/types';
       export const client: ConnectionsClient = createConnectionsClient({ baseUrl: 'http://127.0.0.1:3000/v1', requesterOrganizationId: 'x', token: 't' });
       // @ts-expect-error not a path of the contract
       void client.GET('/nowhere');
       // @ts-expect-error not a status of the contract
       export const notStatus: components['schemas']['ConnectionStatus'] = 'pending';`,
    );
  });
});

describe('connections-api-client/react and /msw in a frontend project', slow, () => {
  it('renders a component using the hooks in jsdom against the MSW handlers, which answer the documented example', async () => {
    const answer = await runScript(frontendProject, 'frontend.mjs', frontendScript);
    const example = (await contract()).paths['/host-connections']?.get?.responses['200']?.content['application/json']
      ?.example as { items: { host_name: string }[] } | undefined;
    expect(example?.items.length).toBeGreaterThan(0);
    expect(answer).toEqual({ shown: example?.items.map((host) => host.host_name) });
  });
});

const installedPackage = () => path.join(server.project, 'node_modules/connections-api');

describe('the compiled server of the installed package', slow, () => {
  let dataDir: string;
  let started: RunningServer;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'connections-start-prod-'));
    started = await startServer({ DATA_DIR: dataDir }, ['npm', '--prefix', installedPackage(), 'run', 'start:prod']);
  }, 120_000);

  afterAll(async () => {
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  const serverPid = () => childPids(started.process.pid)[0] ?? 0;

  it('runs as npm run start:prod (node dist/server/main.js) in the package', async () => {
    expect(await readFile(`/proc/${serverPid()}/cmdline`, 'utf8')).toBe('node\0dist/server/main.js\0');
    expect(await realpath(`/proc/${serverPid()}/cwd`)).toBe(await realpath(installedPackage()));
    expect((await fetch(`${started.url}/readyz`)).status).toBe(200);
  });

  it.skipIf(chromiumUnavailable !== undefined)(
    `serves /docs, which renders in Chromium loading nothing from elsewhere${chromiumUnavailable ? ` (skipped: ${chromiumUnavailable})` : ''}`,
    async () => {
      const chromium = await launchChromium();
      try {
        const page = await chromium.context.newPage();
        await page.goto(`${started.url}/docs#tag/host-connections/POST/host-connections`);
        // Rendered from the contract: the operation's own "Test Request" button.
        await page
          .locator('section[id$="tag/host-connections/POST/host-connections"]')
          .getByRole('button', { name: /^Test Request/ })
          .waitFor();
        const { network, elsewhere } = requestsLeaving(chromium.requested, started.url);
        expect(network).toEqual(
          expect.arrayContaining([`${started.url}/docs/scalar.js`, `${started.url}/openapi.json`]),
        );
        expect(elsewhere).toEqual([]);
      } finally {
        await chromium.close();
      }
    },
  );

  it('stops on SIGTERM', async () => {
    process.kill(serverPid(), 'SIGTERM');
    expect(await started.process.exited).toEqual({ code: 0, signal: null });
  });
});

describe('connections-api-conformance, run from the installed package', slow, () => {
  /** A deployment as an operator makes one: organizations by the admin command, then the server. */
  async function deployment(env: Record<string, string>, name: string, command?: string[]) {
    const organizations = await adminOrganizations(path.join(work, `${name}-organizations.json`), env);
    const { url } = await startServer(env, command);
    const junit = path.join(work, `${name}-junit.xml`);
    const args = ['--base-url', `${url}/v1`, '--organizations', organizations, '--requests', '100', '--junit', junit];
    const run = await runCommand('npx', ['--no-install', 'connections-api-conformance', ...args], server.project);
    return { run, junit: await readFile(junit, 'utf8') };
  }

  it('passes against npm start (embedded) and the compiled server on PostgreSQL, and writes JUnit', async () => {
    const databaseUrl = process.env.TEST_DATABASE_URL;
    const scratch = databaseUrl ? await createScratchDatabase(databaseUrl, 'connections_conformance') : undefined;
    try {
      const embedded = { DATA_DIR: await mkdtemp(path.join(work, 'embedded-')) };
      const postgres = scratch && {
        DATABASE_URL: scratch.url,
        JWT_SECRET: 'conformance-secret-conformance-secret-0123',
        DATA_DIR: await mkdtemp(path.join(work, 'postgres-')),
      };
      // The README's `npm start`, and on PostgreSQL the installed package's compiled server, as in production.
      const compiled = [process.execPath, path.join(installedPackage(), 'dist/server/main.js')];
      const runs = await Promise.all([
        deployment(embedded, 'embedded', ['npm', 'start']),
        ...(postgres ? [deployment(postgres, 'postgres', compiled)] : []),
      ]);
      // Without TEST_DATABASE_URL only the embedded deployment is checked; with it, both must be.
      expect(runs.length).toBe(databaseUrl ? 2 : 1);
      for (const { run, junit } of runs) {
        expect(run, run.stdout).toMatchObject({ code: 0, stderr: '' });
        expect(run.stdout).toMatch(/^flow +\d+ +\d+ +0$/m);
        // The server's default rate limits apply: their 429s are waited out, never an answer checked.
        expect(run.stdout).toMatch(/^fuzz: 100 requests .*statuses (?!.*429)/m);
        expect(run.stdout).toMatch(/^all \d+ cases passed$/m);
        expect(junit).toMatch(/<testsuites name="connections-api-conformance" tests="\d+" failures="0">/);
        for (const suite of ['flow', 'matrix', 'fuzz'])
          expect(junit).toMatch(new RegExp(`<testsuite name="${suite}" tests="[1-9]\\d*" failures="0">`));
        expect(junit).toContain('name="createHostConnection × guest"');
      }
    } finally {
      await scratch?.drop();
    }
  }, 240_000);
});
