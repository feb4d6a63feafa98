// @vitest-environment jsdom
// The example page (examples/react/App.tsx) in jsdom against the MSW handlers: it lists the
// documented host connections, shows the documented problem's detail when accepting fails, and
// the created connection when it succeeds.
import { setupServer } from 'msw/node';
import { act, createElement } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../examples/react/App.js';
import { createConnectionsClient } from '../../client/index.js';
import { connectionsHandlers } from '../../client/msw/index.js';
import { createConnectionsHooks } from '../../client/react/index.js';
import { responseExamples } from '../../generated/examples.js';
import { render, testQueryClient, waitFor, type Rendered } from './render.js';

const BASE_URL = 'http://api.example-page.test/v1';
const GUEST = '9b2e7c4d-1f3a-4e5b-8c6d-7e8f9a0b1c2d';
const server = setupServer(...connectionsHandlers({ baseUrl: BASE_URL }));
const hooks = createConnectionsHooks(
  createConnectionsClient({ baseUrl: BASE_URL, requesterOrganizationId: GUEST, token: 'mock-token' }),
);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** Types into a React-controlled input: React listens for `input` events on the element's value setter. */
function type(input: HTMLInputElement, text: string): void {
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set?.call(input, text);
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

async function accept(page: Rendered): Promise<void> {
  const [hostId, invitationToken] = [...page.container.querySelectorAll('input')];
  if (hostId === undefined || invitationToken === undefined) throw new Error('the form has no inputs');
  await act(async () => {
    type(hostId, '3c90c3cc-0d44-4b50-8888-8dd25736052a');
    type(invitationToken, 'k3X9pQ2rT7vW1yZ5bN8mL4hJ6gF0dS2a');
  });
  await act(async () => page.container.querySelector('button')?.click());
}

describe('the example page', () => {
  it('lists the host connections the contract documents', async () => {
    const page = await render(createElement(App, { hooks }), testQueryClient());
    const [documented] = responseExamples.listHostConnections['200'].example.items;
    await waitFor(() =>
      expect(page.container.querySelector('ul')?.textContent).toBe(
        `${documented.host_name} <${documented.host_email}>`,
      ),
    );
    await page.unmount();
  });

  it("shows the problem's detail when accepting an invitation fails", async () => {
    server.use(
      ...connectionsHandlers({
        baseUrl: BASE_URL,
        prefer: { createHostConnection: { code: 409, example: 'invitation_already_accepted' } },
      }),
    );
    const page = await render(createElement(App, { hooks }), testQueryClient());
    await accept(page);
    await waitFor(() =>
      expect(page.container.querySelector('[role="alert"]')?.textContent).toBe(
        responseExamples.createHostConnection['409'].examples.invitation_already_accepted.detail,
      ),
    );
    await page.unmount();
  });

  it('shows the new connection when accepting succeeds', async () => {
    const page = await render(createElement(App, { hooks }), testQueryClient());
    await accept(page);
    await waitFor(() =>
      expect(page.container.querySelector('[role="status"]')?.textContent).toBe(
        `Connected to ${responseExamples.createHostConnection['201'].examples.new_host_connection.host_name}.`,
      ),
    );
    await page.unmount();
  });
});
