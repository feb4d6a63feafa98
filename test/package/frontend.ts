// What a frontend's own test does with connections-api-client/react and /msw, as a script run
// in a project that installed the packed client with React, TanStack Query, MSW and jsdom: a
// component using the hooks renders in jsdom against the MSW handlers and prints what it shows.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { repo } from './projects.js';

/** The packages a frontend installs next to the client, at the repository's versions (in npm's cache). */
export async function frontendPackages(): Promise<string[]> {
  const { devDependencies } = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  return ['react', 'react-dom', '@tanstack/react-query', 'openapi-react-query', 'msw', 'openapi-msw', 'jsdom'].map(
    (name) => `${name}@${devDependencies[name]}`,
  );
}

export const frontendScript = `
import { JSDOM } from 'jsdom';
const dom = new JSDOM('<!doctype html><main id="root"></main>', { url: 'http://app.example.test/' });
globalThis.window = dom.window;
globalThis.document = dom.window.document;
// Node 20 has no global navigator (21 and later do), and React reads it.
globalThis.navigator ??= dom.window.navigator;
const { createElement } = await import('react');
const { createRoot } = await import('react-dom/client');
const { QueryClient, QueryClientProvider } = await import('@tanstack/react-query');
const { setupServer } = await import('msw/node');
const { createConnectionsClient } = await import('connections-api-client');
const { createConnectionsHooks } = await import('connections-api-client/react');
const { connectionsHandlers } = await import('connections-api-client/msw');

const baseUrl = 'http://api.example.test/v1';
const server = setupServer(...connectionsHandlers({ baseUrl }));
server.listen({ onUnhandledRequest: 'error' });
const client = createConnectionsClient({ baseUrl, requesterOrganizationId: '9b2e7c4d-1f3a-4e5b-8c6d-7e8f9a0b1c2d', token: 'mock-token' });
const hooks = createConnectionsHooks(client);

function Hosts() {
  const { data, error } = hooks.useQuery('get', '/host-connections', { params: { query: { statuses: ['connected'] } } });
  if (error) return createElement('p', null, error.detail);
  return createElement('ul', null, (data?.items ?? []).map((host) => createElement('li', { key: host.host_organization_id }, host.host_name)));
}
createRoot(document.getElementById('root')).render(
  createElement(QueryClientProvider, { client: new QueryClient() }, createElement(Hosts)),
);
for (let i = 0; i < 400 && !document.querySelector('li, p'); i++) await new Promise((resolve) => setTimeout(resolve, 25));
console.log(JSON.stringify({ shown: [...document.querySelectorAll('li, p')].map((node) => node.textContent) }));
server.close();
process.exit(0);
`;
