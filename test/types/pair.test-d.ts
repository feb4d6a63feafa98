// The host and the guest of a connection cannot swap places: each id carries its role
// (server/store/pair.ts), so a store or domain call with the two the wrong way round fails the
// typecheck. Each @ts-expect-error fails the typecheck if the line below it ever compiles.
import type { Kysely } from 'kysely';
import { describe, expectTypeOf, test } from 'vitest';
import { createGuestConnectionAction, resolveHostConnectionAction } from '../../server/domain/connection-actions.js';
import { getGuestConnection } from '../../server/domain/guest-connections.js';
import { createGuestInvitation } from '../../server/domain/guest-invitations.js';
import { getHostConnection } from '../../server/domain/host-connections.js';
import { listConnections } from '../../server/store/connection-lists.js';
import { guestConnections, hostConnections } from '../../server/store/connection-sides.js';
import { lockConnection } from '../../server/store/connections.js';
import { asGuest, asHost, type GuestId, type HostId, type Pair } from '../../server/store/pair.js';
import type { Database } from '../../server/store/schema.js';

declare const db: Kysely<Database>;
const host = asHost('3c90c3cc-0d44-4b50-8888-8dd25736052a');
const guest = asGuest('5d3f8a5e-2a6b-4f1e-9c0d-7b8e9f0a1b2c');
const query = { statuses: ['connected' as const], order_dir: 'asc' as const, limit: 10, offset: 0 };

describe('a pair', () => {
  test('is built with each id in its own role', () => {
    const pair: Pair = { host, guest };
    void pair;
    // @ts-expect-error the guest's id as the host
    const swapped: Pair = { host: guest, guest: host };
    void swapped;
    // @ts-expect-error a plain string has no role
    const untyped: Pair = { host: '3c90c3cc-0d44-4b50-8888-8dd25736052a', guest };
    void untyped;
    expectTypeOf<HostId>().not.toEqualTypeOf<GuestId>();
  });

  test('reaches the store and the domain only the right way round', () => {
    void lockConnection(db, { host, guest });
    // @ts-expect-error swapped
    void lockConnection(db, { host: guest, guest: host });
    void getHostConnection(db, { host, guest });
    // @ts-expect-error swapped
    void getGuestConnection(db, { host: guest, guest: host });
    void createGuestConnectionAction(db, { host, guest }, 'analytics_request');
    // @ts-expect-error swapped
    void resolveHostConnectionAction(db, { guest: host, host: guest }, 'action');
  });

  test("a list of one side takes only that side's id", () => {
    void listConnections(db, guestConnections, host, { ...query, search_field: 'guest_name', order_by: 'guest_name' });
    void listConnections(db, hostConnections, guest, { ...query, search_field: 'host_name', order_by: 'host_name' });
    // @ts-expect-error the host's id with the guest's side description
    void listConnections(db, hostConnections, host, { ...query, search_field: 'host_name', order_by: 'host_name' });
    // @ts-expect-error the guest's id with the host's side description
    void listConnections(db, guestConnections, guest, { ...query, search_field: 'guest_name', order_by: 'guest_name' });
    // @ts-expect-error a plain string has no role
    void listConnections(db, guestConnections, '3c90c3cc-0d44-4b50-8888-8dd25736052a', {
      ...query,
      search_field: 'guest_name',
      order_by: 'guest_name',
    });
    // @ts-expect-error a guest does not invite
    void createGuestInvitation(db, guest, { email: 'a@example.test', expired_at: '2030-01-01T00:00:00Z' });
  });
});
