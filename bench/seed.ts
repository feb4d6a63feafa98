// The data the scenarios need, written straight into the database before the servers start
// (PGlite is locked by whichever process has it open, so this cannot wait until they run).
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { createOrganization, type NewCredentials } from '../server/domain/admin.js';
import { hashSecret, newClientId, newClientSecret } from '../server/domain/credentials.js';
import { createGuestInvitation } from '../server/domain/guest-invitations.js';
import { createHostConnection } from '../server/domain/host-connections.js';
import { createTokenIssuer } from '../server/domain/tokens.js';
import { insertOrganization } from '../server/store/organizations.js';
import type { Database } from '../server/store/schema.js';

/** A guest that has not connected yet, and the pending invitation it will present. */
export interface PendingGuest {
  organizationId: string;
  token: string;
  hostOrganizationId: string;
  invitationToken: string;
}

export interface Seed {
  /** A guest with `listSize` connected hosts; its API client is used by the token scenario too. */
  lister: NewCredentials;
  pendingGuests: PendingGuest[];
}

const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 500;
const PARALLEL = 8;

const tag = (): string => randomUUID().slice(0, 8);

function organizationInput(kind: string) {
  const id = tag();
  return { name: `Bench ${kind} ${id}`, email: `${kind}-${id}@bench.example`, owner_email: `owner-${id}@bench.example` };
}

export async function seed(db: Kysely<Database>, options: { jwtSecret: string; listSize: number; pendingGuests: number }): Promise<Seed> {
  const expired_at = new Date(Date.now() + DAY_MS).toISOString();

  const listerInput = organizationInput('lister');
  const lister = await createOrganization(db, listerInput);
  await mapInParallel(Array.from({ length: options.listSize }), async () => {
    const host = await insertOrganization(db, organizationInput('host'));
    const invitation = await createGuestInvitation(db, host.id, { email: listerInput.email, expired_at });
    await createHostConnection(db, lister.organization_id, { host_organization_id: host.id, invitation_token: invitation.invitation_token }, undefined);
  });

  // Every pending guest would cost one scrypt (~73 ms of CPU here) through createOrganization; they
  // share one hash instead and get their tokens signed directly, exactly as the token
  // endpoint signs them. Nobody ever presents their secret.
  const host = await insertOrganization(db, organizationInput('host'));
  const sharedHash = await hashSecret(newClientSecret());
  const issuer = createTokenIssuer({ secret: options.jwtSecret, ttlSeconds: 3600, now: () => new Date() });
  const pendingGuests: PendingGuest[] = [];
  for (let offset = 0; offset < options.pendingGuests; offset += BATCH) {
    const guests = await db
      .insertInto('organizations')
      .values(Array.from({ length: Math.min(BATCH, options.pendingGuests - offset) }, () => organizationInput('guest')))
      .returning(['id', 'email'])
      .execute();
    const clients = guests.map((guest) => ({ client_id: newClientId(), organization_id: guest.id, secret_hash: sharedHash, email: guest.email }));
    await db.insertInto('api_clients').values(clients.map(({ email: _, ...client }) => client)).execute();
    const batch = await mapInParallel(clients, async (client) => ({
      organizationId: client.organization_id,
      token: (await issuer.issue({ clientId: client.client_id, organizationId: client.organization_id })).accessToken,
      hostOrganizationId: host.id,
      invitationToken: (await createGuestInvitation(db, host.id, { email: client.email, expired_at })).invitation_token,
    }));
    pendingGuests.push(...batch);
  }
  return { lister, pendingGuests };
}

/** task over every item, at most PARALLEL at a time (PGlite queues them anyway), results in order. */
async function mapInParallel<T, R>(items: T[], task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) results[i] = await task(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, lane));
  return results;
}
