// A first start on an empty database seeds two organizations and an invitation, and prints a
// walkthrough a newcomer can paste into a terminal to see the central flow work end to end.
import { createOrganization } from './domain/admin.js';
import { createGuestInvitation } from './domain/guest-invitations.js';
import type { Store } from './store/database.js';
import { hasOrganizations } from './store/organizations.js';

const INVITATION_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;

export type DemoOrganization = {
  organization_id: string;
  name: string;
  email: string;
  client_id: string;
  client_secret: string;
};

export type Demo = {
  host: DemoOrganization;
  guest: DemoOrganization;
  invitation: { id: string; email: string; invitation_token: string; expired_at: string };
};

const hostInput = { name: 'Northwind Lending', email: 'contact@northwind.example', owner_email: 'owner@northwind.example' };
const guestInput = { name: 'Acme Bakery', email: 'finance@acme.example', owner_email: 'owner@acme.example' };

/**
 * On a database without organizations: a host, a guest (each with an API client) and a
 * pending invitation from the host to the guest's e-mail, valid 30 days. Null when the
 * database has organizations already: the demo never mixes with real data.
 */
export async function seedDemo(store: Store, now: Date = new Date()): Promise<Demo | null> {
  if (await hasOrganizations(store.db)) return null;
  const host = await createOrganization(store.db, hostInput);
  const guest = await createOrganization(store.db, guestInput);
  const invitation = await createGuestInvitation(
    store.db,
    host.organization_id,
    { email: guestInput.email, expired_at: new Date(now.getTime() + INVITATION_LIFETIME_MS).toISOString() },
    now,
  );
  return {
    host: { ...host, name: hostInput.name, email: hostInput.email },
    guest: { ...guest, name: guestInput.name, email: guestInput.email },
    invitation: {
      id: invitation.id,
      email: invitation.email,
      invitation_token: invitation.invitation_token,
      expired_at: invitation.expired_at,
    },
  };
}

/**
 * The walkthrough, itself a bash script: prose and credentials are comments, so it can be
 * pasted whole or line by line. It needs curl and node (node parses the JSON, so no jq).
 * Every value put into the script is base64url or a uuid: nothing needs shell quoting.
 */
export function formatWalkthrough(demo: Demo, baseUrl: string): string {
  const { host, guest, invitation } = demo;
  const readToken = `node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).access_token'`;
  const tokenRequest = (variable: string, organization: DemoOrganization) =>
    `${variable}=$(curl -s -X POST "$API/oauth2/token" -H 'Content-Type: application/json' \\\n` +
    `  -d '{"client_id":"${organization.client_id}","client_secret":"${organization.client_secret}"}' | ${readToken})`;
  const asOrganization = (token: string, id: string) =>
    `-H "Authorization: Bearer $${token}" \\\n  -H "Requester-Organization-ID: $${id}" -H "Target-Organization-ID: $${id}"`;
  return [
    '# ---------------------------------------------------------------------------',
    '# Demo data, seeded because the database was empty. The secrets are shown only now.',
    `#   host:  ${host.name} (${host.email})`,
    `#          organization ${host.organization_id}`,
    `#          client_id ${host.client_id}  client_secret ${host.client_secret}`,
    `#   guest: ${guest.name} (${guest.email})`,
    `#          organization ${guest.organization_id}`,
    `#          client_id ${guest.client_id}  client_secret ${guest.client_secret}`,
    `#   invitation from the host to ${invitation.email}, expires ${invitation.expired_at}`,
    `#          invitation_token ${invitation.invitation_token}`,
    '#',
    '# Walkthrough: paste these lines into bash (needs curl and node).',
    `API=${baseUrl}/v1`,
    `HOST_ID=${host.organization_id}`,
    `GUEST_ID=${guest.organization_id}`,
    '',
    '# 1. The guest gets an access token.',
    tokenRequest('GUEST_TOKEN', guest),
    '',
    "# 2. The guest accepts the host's invitation: 201 and the new host connection.",
    `curl -s -X POST "$API/host-connections" ${asOrganization('GUEST_TOKEN', 'GUEST_ID')} \\\n` +
      `  -H 'Content-Type: application/json' \\\n` +
      `  -d '{"host_organization_id":"${host.organization_id}","invitation_token":"${invitation.invitation_token}"}'; echo`,
    '',
    "# 3. The guest's host connections.",
    `curl -s "$API/host-connections?statuses=connected" ${asOrganization('GUEST_TOKEN', 'GUEST_ID')}; echo`,
    '',
    "# 4. The host's view: its connected guests.",
    tokenRequest('HOST_TOKEN', host),
    `curl -s "$API/guest-connections?statuses=connected" ${asOrganization('HOST_TOKEN', 'HOST_ID')}; echo`,
    '# ---------------------------------------------------------------------------',
  ].join('\n');
}
