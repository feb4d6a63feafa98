// The requests of the scenarios, built from the seeded data.
import type { RequestSpec } from './load.js';
import type { PendingGuest, Seed } from './seed.js';

/** An access token from the real token endpoint (one scrypt on the server). */
export async function tokenFor(port: number, credentials: Seed['lister']): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/v1/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_id: credentials.client_id, client_secret: credentials.client_secret }),
  });
  if (response.status !== 200) throw new Error(`createToken answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

function callerHeaders(organizationId: string, token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}`, 'Requester-Organization-ID': organizationId, 'Target-Organization-ID': organizationId };
}

export const healthz: RequestSpec = { method: 'GET', path: '/healthz', headers: {}, expect: 200 };

/** The lister's connected hosts: bearer token, scenario (self), list query. */
export function listRequest(seeded: Seed, listerToken: string): RequestSpec {
  return {
    method: 'GET',
    path: '/v1/host-connections?statuses=connected',
    headers: callerHeaders(seeded.lister.organization_id, listerToken),
    expect: 200,
  };
}

/** The lister's client credentials for a new token: one scrypt per request. */
export function tokenRequest(seeded: Seed): RequestSpec {
  return {
    method: 'POST',
    path: '/v1/oauth2/token',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_id: seeded.lister.client_id, client_secret: seeded.lister.client_secret }),
    expect: 200,
  };
}

/** The guest accepts its invitation: a new host connection. Each guest can do this once. */
export function createRequest(guest: PendingGuest): RequestSpec {
  return {
    method: 'POST',
    path: '/v1/host-connections',
    headers: { ...callerHeaders(guest.organizationId, guest.token), 'Content-Type': 'application/json' },
    body: JSON.stringify({ host_organization_id: guest.hostOrganizationId, invitation_token: guest.invitationToken }),
    expect: 201,
  };
}
