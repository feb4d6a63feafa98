// Which API clients are active, asked on every authenticated request, answered from memory
// without giving up "revoking a client stops its tokens". The database tells every process of
// a revocation: a trigger on api_clients (migration 0006) notifies `api_client_revoked` with
// the client id, however the row changed (the admin command or plain SQL), and each store
// listens. An entry is cached only while the listener is connected; when it drops, the cache
// is emptied and every request asks the database until it is back. So a revocation reaches
// every process as soon as its notification arrives (milliseconds); a process that cannot hear
// it does not cache.
import type { Kysely } from 'kysely';
import { findActiveClientOrganization } from './clients.js';
import type { Database } from './schema.js';

/** The organization of an active client, as the database says it now. */
export type ActiveClientLookup = (clientId: string) => Promise<string | undefined>;

export const lookupInDatabase =
  (db: Kysely<Database>): ActiveClientLookup =>
  (clientId) =>
    findActiveClientOrganization(db, clientId);

export const REVOCATION_CHANNEL = 'api_client_revoked';

/** Bound on memory; beyond it the oldest entries go first. */
export const MAX_ENTRIES = 10_000;

export interface ActiveClients {
  /** The organization of an active (existing, not revoked) client; undefined for any other. */
  organizationOf(clientId: string): Promise<string | undefined>;
  /** A notification of the database arrived: `clientId` changed. */
  revoked(clientId: string): void;
  /** The listener is connected (true) or lost (false, which empties the cache). */
  listening(connected: boolean): void;
}

export function createActiveClients(lookup: ActiveClientLookup): ActiveClients {
  const cache = new Map<string, string>();
  let connected = false;
  // Bumped by every notification and every loss of the listener: a lookup that started before
  // one of them may have read what is no longer true, so it is not cached.
  let generation = 0;

  return {
    async organizationOf(clientId) {
      const cached = cache.get(clientId);
      if (cached !== undefined) return cached;
      const startedAt = generation;
      const organizationId = await lookup(clientId);
      if (organizationId !== undefined && connected && generation === startedAt) {
        if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value ?? '');
        cache.set(clientId, organizationId);
      }
      return organizationId;
    },
    revoked(clientId) {
      generation += 1;
      cache.delete(clientId);
    },
    listening(now) {
      generation += 1;
      connected = now;
      if (!now) cache.clear();
    },
  };
}
