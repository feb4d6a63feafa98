// The example frontend (examples/react) as a person uses it: built once with Vite, served from
// a page origin of its own, opened in Chromium against `npm run sandbox` as the demo guest. It
// lists no host, shows the API's problem detail for a wrong invitation token, then accepts the
// demo invitation and lists the host (the mutation's invalidation refetches the list). With
// `?mock`, the same build lists the documented hosts from MSW's service worker instead.
import { readFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  demoOrganization,
  killRunningServers,
  requestToken,
  startServer,
  type Credentials,
  type RunningServer,
} from '../process/server-process.js';
import { responseExamples } from '../../generated/examples.js';
import { artifacts, type Browser, chromiumUnavailable as unavailable, launchChromium } from '../support/chromium.js';

const example = fileURLToPath(new URL('../../examples/react/', import.meta.url));
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };
// MSW's service worker, served at the page's root as `npx msw init` would place it.
const WORKER = 'mockServiceWorker.js';
const workerFile = fileURLToPath(new URL(`../../node_modules/msw/lib/${WORKER}`, import.meta.url));

/** The built files over HTTP on 127.0.0.1: a page origin apart from the API's, as in production. */
function serveFiles(dir: string): Promise<Server> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://page').pathname.replace(/\/$/, '/index.html');
    readFile(path === `/${WORKER}` ? workerFile : join(dir, path)).then(
      (body) =>
        response.writeHead(200, { 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body),
      () => response.writeHead(404).end(),
    );
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe.skipIf(unavailable !== undefined)(
  `the example frontend in Chromium against npm run sandbox${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let dist: string;
    let files: Server;
    let pageOrigin: string;
    let chromium: Browser;
    let sandbox: RunningServer;
    let guest: Credentials;
    let host: Credentials;
    let invitationToken: string;

    beforeAll(async () => {
      dist = await mkdtemp(join(tmpdir(), 'connections-example-'));
      files = await serveFiles(dist);
      pageOrigin = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
      // The build, the browser and the sandbox start side by side.
      [, chromium, sandbox] = await Promise.all([
        build({ root: example, configFile: false, logLevel: 'error', build: { outDir: dist, emptyOutDir: true } }),
        launchChromium(),
        startServer({ PORT: '0', CORS_ORIGINS: pageOrigin }, ['npm', 'run', 'sandbox']),
      ]);
      const printed = sandbox.process.stdout();
      [guest, host] = [demoOrganization(printed, 'guest'), demoOrganization(printed, 'host')];
      invitationToken = printed.match(/^# +invitation_token (\S+)$/m)?.[1] ?? '';
      expect(invitationToken).not.toBe('');
    }, 120_000);

    afterAll(async () => {
      await chromium?.close();
      await killRunningServers();
      await new Promise((resolve) => files?.close(resolve));
      if (dist !== undefined) await rm(dist, { recursive: true, force: true });
    });

    it('lists the host connections, shows a problem detail, accepts the invitation', async () => {
      const api = `${sandbox.url}/v1`;
      const token = await requestToken(sandbox.url, guest);
      const page = await chromium.context.newPage();
      const failures: string[] = [];
      page.on('pageerror', (error) => failures.push(error.message));
      await page.goto(`${pageOrigin}/?${new URLSearchParams({ api, org: guest.organization_id, token })}`);
      await expect.poll(() => page.locator('main').innerText()).toContain('No host connections yet.');

      // A well-formed token that is not the invitation's: the API's own detail is shown.
      const wrongToken = `${invitationToken.slice(0, -1)}${invitationToken.endsWith('A') ? 'B' : 'A'}`;
      await page.getByLabel('Host organization id').fill(host.organization_id);
      await page.getByLabel('Invitation token').fill(wrongToken);
      await page.getByRole('button', { name: 'Accept' }).click();
      const refused = await fetch(`${api}/host-connections`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Requester-Organization-ID': guest.organization_id,
          'Target-Organization-ID': guest.organization_id,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({ host_organization_id: host.organization_id, invitation_token: wrongToken }),
      });
      const { detail } = (await refused.json()) as { detail: string };
      expect(refused.status).toBeGreaterThanOrEqual(400);
      await expect.poll(() => page.getByRole('alert').innerText()).toBe(detail);

      await page.getByLabel('Invitation token').fill(invitationToken);
      await page.getByRole('button', { name: 'Accept' }).click();
      await expect.poll(() => page.getByRole('status').innerText()).toBe('Connected to Northwind Lending.');
      await expect
        .poll(() => page.getByRole('list', { name: 'Host connections' }).innerText())
        .toBe('Northwind Lending <contact@northwind.example>');
      await mkdir(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, 'example-frontend.png'), animations: 'disabled' });
      expect(failures).toEqual([]);
    }, 120_000);

    it("lists the contract's documented hosts with ?mock, answered by MSW's service worker", async () => {
      const page = await chromium.context.newPage();
      const answered = page.waitForResponse((response) => new URL(response.url()).pathname === '/v1/host-connections');
      await page.goto(`${pageOrigin}/?mock`);
      // Answered in the page by the worker: the page's origin has no /v1 at all.
      expect((await answered).fromServiceWorker()).toBe(true);
      const [documented] = responseExamples.listHostConnections['200'].example.items;
      await expect
        .poll(() => page.getByRole('list', { name: 'Host connections' }).innerText())
        .toBe(`${documented.host_name} <${documented.host_email}>`);
    }, 60_000);
  },
);
