// The example frontend's entry (Vite): the client, the hooks over it, and the page. It reads
// the API's address, the organization and an access token from its own address:
// index.html?api=http://127.0.0.1:3000/v1&org=<organization id>&token=<access token>
// (docs/frontend.md shows how to get them from `npm run sandbox`), or `index.html?mock` for
// MSW's answers instead of a server. An application imports
// `connections-api-client` and `connections-api-client/react` where this imports ../../client.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createConnectionsClient } from '../../client/index.js';
import { createConnectionsHooks } from '../../client/react/index.js';
import { App } from './App.js';

const settings = new URLSearchParams(location.search);
const setting = (name: string): string => {
  const value = settings.get(name);
  if (value === null) throw new Error(`add ?${name}=… to the page's address (see docs/frontend.md)`);
  return value;
};

/** With `?mock`, no server: MSW's service worker answers the contract's documented examples. */
async function mockedApi(): Promise<{ baseUrl: string; organizationId: string; token: string }> {
  const baseUrl = `${location.origin}/v1`;
  const [{ setupWorker }, { connectionsHandlers }] = await Promise.all([
    import('msw/browser'),
    import('../../client/msw/index.js'),
  ]);
  await setupWorker(...connectionsHandlers({ baseUrl })).start({ onUnhandledRequest: 'bypass', quiet: true });
  return { baseUrl, organizationId: '9b2e7c4d-1f3a-4e5b-8c6d-7e8f9a0b1c2d', token: 'mock-token' };
}

const api = settings.has('mock')
  ? await mockedApi()
  : { baseUrl: setting('api'), organizationId: setting('org'), token: setting('token') };
const client = createConnectionsClient({
  baseUrl: api.baseUrl,
  requesterOrganizationId: api.organizationId,
  token: api.token,
});
const hooks = createConnectionsHooks(client);
const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={new QueryClient()}>
      <App hooks={hooks} />
    </QueryClientProvider>
  </StrictMode>,
);
