// The API reference as a person uses it: a real Chromium opens /docs on the real server, finds
// POST /host-connections, and sends it from the page's own request client (Scalar's "Test
// Request") with the guest's token, organization headers and body, and gets the 201; it lists the
// contract's webhooks too. Every
// request the page makes must go to the server itself: no CDN, font, telemetry or other host.
// Debian's chromium (test/support/chromium.ts).
import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestOrganization } from '../support/app.js';
import {
  artifacts,
  type Browser,
  chromiumUnavailable as unavailable,
  launchChromium,
  requestsLeaving,
  STEP_TIMEOUT_MS,
} from '../support/chromium.js';

describe.skipIf(unavailable !== undefined)(
  `the API reference in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let t: TestApp;
    let server: ServerType;
    let origin: string;
    let chromium: Browser;
    let host: TestOrganization;
    let guest: TestOrganization;
    let invitationToken: string;
    // What the page's Content-Security-Policy blocked: Chromium reports each on the console.
    const blocked: string[] = [];

    /** A host and a guest it invited, made through the API; the guest's invitation token. */
    async function invitedGuest(): Promise<void> {
      const guestEmail = `guest-${randomUUID().slice(0, 8)}@example.test`;
      [host, guest] = await Promise.all([t.newOrganization(), t.newOrganization({ email: guestEmail })]);
      const invited = await t.request('/v1/guest-invitations', {
        method: 'POST',
        headers: { ...host.headers(), 'Content-Type': 'application/json' },
        body: JSON.stringify({
          email: guestEmail,
          expired_at: new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        }),
      });
      expect(invited.status).toBe(201);
      invitationToken = ((await invited.json()) as { invitation_token: string }).invitation_token;
    }

    beforeAll(async () => {
      // The browser starts while the database opens.
      await Promise.all([
        launchChromium().then((launched) => {
          chromium = launched;
        }),
        (async () => {
          t = await createTestApp('pglite');
          server = await new Promise<ServerType>((resolve) => {
            const listening = serve({ fetch: t.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(listening));
          });
          origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
          await invitedGuest();
        })(),
      ]);
    });

    afterAll(async () => {
      await chromium?.close();
      await new Promise((resolve) => server?.close(resolve));
    });

    it('sends POST /host-connections from the page and gets the 201, loading nothing from elsewhere', async () => {
      const page = chromium.context.pages()[0] ?? (await chromium.context.newPage());
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) blocked.push(message.text());
      });
      const loaded = await page.goto(`${origin}/docs#tag/host-connections/POST/host-connections`, {
        waitUntil: 'domcontentloaded',
        timeout: STEP_TIMEOUT_MS,
      });
      // The page works under its own policy, which allows this server only.
      expect(await loaded?.headerValue('content-security-policy')).toMatch(/^default-src 'self';/);

      const operation = page.locator('section[id$="tag/host-connections/POST/host-connections"]');
      await operation.getByRole('button', { name: /^Test Request/ }).click();
      const client = page.getByRole('dialog', { name: 'API Client' });
      // Collapsed or not depends on the contract's security schemes: open it when it is collapsed.
      const authentication = client.getByRole('button', { name: /^Authentication/ }).first();
      await authentication.waitFor();
      if (/Collapsed/.test((await authentication.getAttribute('aria-label')) ?? (await authentication.innerText())))
        await authentication.click();
      await client.getByRole('textbox', { name: 'Bearer Token' }).fill(guest.token);
      for (const header of ['Requester-Organization-ID', 'Target-Organization-ID']) {
        // The contract's example is preselected; "Add value" takes one of our own.
        await client
          .getByRole('row', { name: new RegExp(`^Include ${header} in request`) })
          .getByRole('button')
          .first()
          .click();
        await page.getByRole('menuitem', { name: 'Add value' }).click();
        await page.keyboard.type(guest.organization_id);
        await page.keyboard.press('Enter');
      }
      // The body editor (CodeMirror) closes brackets as one types: insert the text whole.
      await client.getByRole('region', { name: 'Request Body' }).getByRole('textbox').click();
      await page.keyboard.press('Control+A');
      await page.keyboard.insertText(
        JSON.stringify({ host_organization_id: host.organization_id, invitation_token: invitationToken }),
      );

      const answered = page.waitForResponse(
        (r) => r.url() === `${origin}/v1/host-connections` && r.request().method() === 'POST',
      );
      await client.getByRole('button', { name: /^Send post request to/ }).click();
      const response = await answered;
      expect(response.status(), await response.text()).toBe(201);
      await expect
        .poll(() => client.getByRole('region', { name: 'Response', exact: true }).innerText(), {
          timeout: STEP_TIMEOUT_MS,
        })
        .toMatch(/\b201 Created\b/);
      await mkdir(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, 'reference-create-host-connection.png'), animations: 'disabled' });

      // The page's request really connected the guest to the host.
      const listed = await t.request('/v1/host-connections?statuses=connected', { headers: guest.headers() });
      expect(
        ((await listed.json()) as { items: { host_organization_id: string }[] }).items.map(
          (c) => c.host_organization_id,
        ),
      ).toEqual([host.organization_id]);

      const { network, elsewhere } = requestsLeaving(chromium.requested, origin);
      expect(network.length).toBeGreaterThan(0);
      expect(elsewhere).toEqual([]);
      expect(blocked).toEqual([]);
    }, 240_000);

    it("lists every event of the contract's webhooks section, by its summary", async () => {
      const document = JSON.parse(await readFile(new URL('../../generated/openapi.json', import.meta.url), 'utf8')) as {
        webhooks: Record<string, { post: { summary: string } }>;
      };
      const summaries = Object.values(document.webhooks).map((event) => event.post.summary);
      expect(summaries).toHaveLength(5);
      const page = chromium.context.pages()[0] ?? (await chromium.context.newPage());
      await page.goto(`${origin}/docs`, { waitUntil: 'domcontentloaded', timeout: STEP_TIMEOUT_MS });
      await page.getByRole('button', { name: 'Open Group - Webhooks' }).click({ timeout: STEP_TIMEOUT_MS });
      for (const summary of summaries)
        await page.getByText(summary, { exact: true }).first().waitFor({ timeout: STEP_TIMEOUT_MS });
    }, 60_000);
  },
);
