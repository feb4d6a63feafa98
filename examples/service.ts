// A guest's back-office service connects to its host and lists its host connections, with API
// client credentials (service to service). Run against `npm start` or `npm run mock`:
//
//   CONNECTIONS_API_URL=http://127.0.0.1:3000/v1 CLIENT_ID=… CLIENT_SECRET=… \
//   ORGANIZATION_ID=<guest id> HOST_ORGANIZATION_ID=<host id> npx tsx examples/service.ts
import { ConnectionsApiError, createConnectionsClient } from '../client/index.js';

function env(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`set ${name} (see docs/client.md)`);
  return value;
}

const client = createConnectionsClient({
  baseUrl: env('CONNECTIONS_API_URL', 'http://127.0.0.1:3000/v1'),
  requesterOrganizationId: env('ORGANIZATION_ID'),
  clientId: env('CLIENT_ID'),
  clientSecret: env('CLIENT_SECRET'),
});

// No invitation token: the server accepts the host's pending invitation addressed to our e-mail.
// The client adds an Idempotency-Key, so a retry after a lost response cannot connect twice.
const { data: connection, error } = await client.POST('/host-connections', {
  body: { host_organization_id: env('HOST_ORGANIZATION_ID'), invitation_token: null },
  signal: AbortSignal.timeout(10_000),
});
if (connection) {
  console.log(`connected to ${connection.host_name} (${connection.host_email})`);
} else if (error.code === 'connection_already_exists') {
  console.log('already connected to this host');
} else {
  console.error(`could not connect: ${error.status} ${error.code}: ${error.detail}`);
  process.exitCode = 1;
}

try {
  // Every page, however long the list; each item is typed as a HostConnection.
  for await (const host of client.paginate('/host-connections', {
    params: { query: { statuses: ['connected'], limit: 50 } },
  })) {
    console.log(
      `- ${host.host_name} <${host.host_email}> since ${host.created_at}, active action: ${host.active_action_type ?? 'none'}`,
    );
  }
} catch (failure) {
  if (!(failure instanceof ConnectionsApiError)) throw failure;
  console.error(`could not list host connections: ${failure.message}`);
  process.exitCode = 1;
}
