// What a frontend does with the client: it holds an access token from its login (never a client
// secret) and its organization id. This file uses only browser APIs, so it runs unchanged in a
// bundle (Vite, webpack…) and, for trying it out, under Node:
//
//   CONNECTIONS_API_URL=http://127.0.0.1:3000/v1 ACCESS_TOKEN=… ORGANIZATION_ID=… npx tsx examples/frontend.ts
import { createConnectionsClient } from '../client/index.js';

declare const process: { env: Record<string, string | undefined> } | undefined;
const setting = (name: string): string => {
  const value = typeof process === 'undefined' ? undefined : process.env[name];
  if (value === undefined) throw new Error(`set ${name} (see README.md, "For frontend developers")`);
  return value;
};

const client = createConnectionsClient({
  baseUrl: setting('CONNECTIONS_API_URL'),
  requesterOrganizationId: setting('ORGANIZATION_ID'),
  token: setting('ACCESS_TOKEN'), // or: () => session.getAccessToken(), called before each request
});

const { data: organization, error } = await client.GET('/organizations/{org_id}', {
  params: { path: { org_id: setting('ORGANIZATION_ID') } },
});
console.log(error ? `error ${error.code}: ${error.detail}` : `signed in as ${organization.name}`);

// Every connected host, page by page; each item is typed as a HostConnection.
for await (const host of client.paginate('/host-connections', {
  params: { query: { statuses: ['connected'], limit: 20 } },
})) {
  console.log(`host ${host.host_name} <${host.host_email}>, active action: ${host.active_action_type ?? 'none'}`);
}

// Cancelling, e.g. when the user leaves the page.
const leaving = new AbortController();
const pending = client.GET('/guest-connections', {
  params: { query: { statuses: ['connected'] } },
  signal: leaving.signal,
});
leaving.abort();
console.log(
  await pending.then(
    () => 'not aborted',
    (e: Error) => `request cancelled (${e.name})`,
  ),
);
