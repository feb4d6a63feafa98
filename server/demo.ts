// A first start on an empty database seeds two organizations and an invitation, and prints a
// walkthrough a newcomer can paste into a terminal to see the central flow work end to end.
// The secrets are shown only then; `admin demo` issues new ones and prints it again.
import { contract, routes } from '../generated/operations.js';
import { AdminInputError, createClient, createOrganization } from './domain/admin.js';
import { createGuestInvitation } from './domain/guest-invitations.js';
import { connectionExists } from './store/connections.js';
import { listInvitations } from './store/invitations.js';
import type { Store } from './store/database.js';
import { findOrganizationByNameAndEmail, hasOrganizations } from './store/organizations.js';
import { asGuest, asHost, type HostId } from './store/pair.js';

const INVITATION_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;

type DemoOrganization = {
  organization_id: string;
  name: string;
  email: string;
  client_id: string;
  client_secret: string;
};

type DemoInvitation = { id: string; email: string; invitation_token: string; expired_at: string };

export type Demo = {
  /** Seeded just now, or found in the database and given fresh client secrets. */
  origin: 'seeded' | 'reissued';
  host: DemoOrganization;
  guest: DemoOrganization;
  /** The pending invitation to accept; null once the guest has connected to the host. */
  invitation: DemoInvitation | null;
};

const hostInput = {
  name: 'Northwind Lending',
  email: 'contact@northwind.example',
  owner_email: 'owner@northwind.example',
};
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
  return {
    origin: 'seeded',
    host: { ...host, name: hostInput.name, email: hostInput.email },
    guest: { ...guest, name: guestInput.name, email: guestInput.email },
    invitation: await inviteGuest(store, asHost(host.organization_id), now),
  };
}

/**
 * The demo again: a new API client (a fresh secret) for the demo host and guest, whose earlier
 * clients stay as they were, and the guest's pending invitation, a new one if it has none left
 * and is not connected yet. Seeds the demo into an empty database, so it also works on a
 * PostgreSQL database, where the server seeds nothing.
 */
export async function reissueDemo(store: Store, now: Date = new Date()): Promise<Demo> {
  const seeded = await seedDemo(store, now);
  if (seeded !== null) return seeded;
  const [host, guest] = await Promise.all(
    [hostInput, guestInput].map((input) => findOrganizationByNameAndEmail(store.db, input.name, input.email)),
  );
  if (host === undefined || guest === undefined) {
    throw new AdminInputError(
      `this database has organizations but not the demo's ("${hostInput.name}" <${hostInput.email}> and "${guestInput.name}" <${guestInput.email}>): the demo is only seeded into an empty database`,
    );
  }
  const [hostClient, guestClient] = [await createClient(store.db, host.id), await createClient(store.db, guest.id)];
  const connected = await connectionExists(store.db, { host: asHost(host.id), guest: asGuest(guest.id) });
  return {
    origin: 'reissued',
    host: { ...hostClient, name: host.name, email: host.email },
    guest: { ...guestClient, name: guest.name, email: guest.email },
    invitation: connected
      ? null
      : ((await pendingInvitation(store, asHost(host.id), now)) ?? (await inviteGuest(store, asHost(host.id), now))),
  };
}

async function inviteGuest(store: Store, hostId: HostId, now: Date): Promise<DemoInvitation> {
  const expiredAt = new Date(now.getTime() + INVITATION_LIFETIME_MS).toISOString();
  const { id, email, invitation_token, expired_at } = await createGuestInvitation(
    store.db,
    hostId,
    { email: guestInput.email, expired_at: expiredAt },
    now,
  );
  return { id, email, invitation_token, expired_at };
}

/** The host's oldest invitation to the demo guest that can still be accepted. */
async function pendingInvitation(store: Store, hostId: HostId, now: Date): Promise<DemoInvitation | undefined> {
  const { items } = await listInvitations(
    store.db,
    hostId,
    {
      statuses: ['sent'],
      search_text: guestInput.email,
      expired: false,
      archived: false,
      order_by: 'created_at',
      order_dir: 'asc',
      limit: 100,
      offset: 0,
    },
    now,
  );
  const found = items.find((invitation) => invitation.email.toLowerCase() === guestInput.email);
  return (
    found && {
      id: found.id,
      email: found.email,
      invitation_token: found.invitation_token,
      expired_at: found.expired_at,
    }
  );
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
    `${variable}=$(curl -s -X POST "$API${routes.createToken.path}" -H 'Content-Type: application/json' \\\n` +
    `  -d '{"client_id":"${organization.client_id}","client_secret":"${organization.client_secret}"}' | ${readToken})`;
  const asOrganization = (token: string, id: string) =>
    `-H "Authorization: Bearer $${token}" \\\n  -H "${contract.headers.requesterOrganizationId}: $${id}" -H "${contract.headers.targetOrganizationId}: $${id}"`;
  const accept =
    invitation === null
      ? ["# 2. The guest has accepted the host's invitation already: they are connected."]
      : [
          "# 2. The guest accepts the host's invitation: 201 and the new host connection.",
          `curl -s -X POST "$API${routes.createHostConnection.path}" ${asOrganization('GUEST_TOKEN', 'GUEST_ID')} \\\n` +
            `  -H 'Content-Type: application/json' \\\n` +
            `  -d '{"host_organization_id":"${host.organization_id}","invitation_token":"${invitation.invitation_token}"}'; echo`,
        ];
  const heading =
    demo.origin === 'seeded'
      ? '# Demo data, seeded because the database was empty. The secrets are shown only now.'
      : '# Demo data, with new client secrets (`npm run -s admin -- demo`). The secrets are shown only now.';
  return [
    '# ---------------------------------------------------------------------------',
    heading,
    `#   host:  ${host.name} (${host.email})`,
    `#          organization ${host.organization_id}`,
    `#          client_id ${host.client_id}  client_secret ${host.client_secret}`,
    `#   guest: ${guest.name} (${guest.email})`,
    `#          organization ${guest.organization_id}`,
    `#          client_id ${guest.client_id}  client_secret ${guest.client_secret}`,
    ...(invitation === null
      ? [`#   ${guest.name} is connected to ${host.name}`]
      : [
          `#   invitation from the host to ${invitation.email}, expires ${invitation.expired_at}`,
          `#          invitation_token ${invitation.invitation_token}`,
        ]),
    '#',
    '# Walkthrough: paste these lines into bash (needs curl and node).',
    `API=${baseUrl}${contract.basePath}`,
    `HOST_ID=${host.organization_id}`,
    `GUEST_ID=${guest.organization_id}`,
    '',
    '# 1. The guest gets an access token.',
    tokenRequest('GUEST_TOKEN', guest),
    '',
    ...accept,
    '',
    "# 3. The guest's host connections.",
    `curl -s "$API${routes.listHostConnections.path}?statuses=connected" ${asOrganization('GUEST_TOKEN', 'GUEST_ID')}; echo`,
    '',
    "# 4. The host's view: its connected guests.",
    tokenRequest('HOST_TOKEN', host),
    `curl -s "$API${routes.listGuestConnections.path}?statuses=connected" ${asOrganization('HOST_TOKEN', 'HOST_ID')}; echo`,
    '# ---------------------------------------------------------------------------',
  ].join('\n');
}
