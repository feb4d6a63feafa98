// The database itself refuses what the rules forbid, whatever the code above it does,
// and both engines refuse it with the same SQLSTATE and constraint name.
import { sql, type Kysely } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { newInvitationToken } from '../../server/domain/credentials.js';
import type { Database, Organization } from '../../server/store/schema.js';
import { engines, insertTestOrganization, openTestStore } from '../support/database.js';

const FOREIGN_KEY = '23503';
const UNIQUE = '23505';
const CHECK = '23514';
const MISSING = '00000000-0000-4000-8000-000000000000';

async function expectRefused(query: Promise<unknown>, code: string, constraint?: string): Promise<void> {
  const error = await query.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error, 'the database accepted it').toBeInstanceOf(Error);
  expect(error).toMatchObject(constraint === undefined ? { code } : { code, constraint });
}

describe.each(engines)('invariants held by the database (%s)', (engine) => {
  let db: Kysely<Database>;
  let host: Organization;
  let guest: Organization;

  beforeAll(async () => {
    db = (await openTestStore(engine)).db;
    host = await insertTestOrganization(db);
    guest = await insertTestOrganization(db);
    await db
      .insertInto('connections')
      .values({ host_organization_id: host.id, guest_organization_id: guest.id, status: 'connected' })
      .execute();
  }, 60_000);

  function insertInvitation(invitation_token = newInvitationToken()) {
    return db
      .insertInto('invitations')
      .values({
        host_organization_id: host.id,
        email: 'guest@example.test',
        invitation_token,
        expired_at: new Date(Date.now() + 86_400_000),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  function insertAction(action_type: 'documents_update_request' | 'analytics_request', status?: 'resolved') {
    return db
      .insertInto('connection_actions')
      .values({ host_organization_id: host.id, guest_organization_id: guest.id, action_type, status })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  it('refuses references to organizations, invitations and connections that do not exist', async () => {
    await expectRefused(
      db
        .insertInto('api_clients')
        .values({ client_id: `cli_${MISSING}`, organization_id: MISSING, secret_hash: 'h' })
        .execute(),
      FOREIGN_KEY,
    );
    await expectRefused(
      db
        .insertInto('connections')
        .values({ host_organization_id: host.id, guest_organization_id: MISSING, status: 'connected' })
        .execute(),
      FOREIGN_KEY,
    );
    const other = await insertTestOrganization(db);
    await expectRefused(
      db
        .insertInto('connections')
        .values({
          host_organization_id: other.id,
          guest_organization_id: guest.id,
          status: 'connected',
          invitation_id: MISSING,
        })
        .execute(),
      FOREIGN_KEY,
    );
    // An action needs its connection: here the pair exists the other way round only.
    await expectRefused(
      db
        .insertInto('connection_actions')
        .values({ host_organization_id: guest.id, guest_organization_id: host.id, action_type: 'analytics_request' })
        .execute(),
      FOREIGN_KEY,
    );
  });

  it('keeps one connection per (host, guest), whatever its status', async () => {
    await sql`update connections set status = 'disconnected' where host_organization_id = ${host.id} and guest_organization_id = ${guest.id}`.execute(
      db,
    );
    await expectRefused(
      db
        .insertInto('connections')
        .values({ host_organization_id: host.id, guest_organization_id: guest.id, status: 'connected' })
        .execute(),
      UNIQUE,
      'connections_pkey',
    );
    await sql`update connections set status = 'connected' where host_organization_id = ${host.id} and guest_organization_id = ${guest.id}`.execute(
      db,
    );
    // The reverse pair is another connection.
    await db
      .insertInto('connections')
      .values({ host_organization_id: guest.id, guest_organization_id: host.id, status: 'connected' })
      .execute();
  });

  it('refuses an organization connected to itself', async () => {
    await expectRefused(
      db
        .insertInto('connections')
        .values({ host_organization_id: host.id, guest_organization_id: host.id, status: 'connected' })
        .execute(),
      CHECK,
      'connections_host_is_not_guest',
    );
  });

  it('keeps invitation tokens unique and within 10–2000 characters', async () => {
    const first = await insertInvitation();
    await expectRefused(insertInvitation(first.invitation_token), UNIQUE, 'invitations_invitation_token_key');
    await expectRefused(insertInvitation('123456789'), CHECK);
    await expectRefused(insertInvitation('x'.repeat(2001)), CHECK);
    await insertInvitation(`${'x'.repeat(1990)}${newInvitationToken().slice(0, 10)}`);
  });

  it('refuses values outside every enum', async () => {
    const invitation = await insertInvitation();
    const pair = sql`host_organization_id = ${host.id} and guest_organization_id = ${guest.id}`;
    await expectRefused(sql`update invitations set status = 'accepted' where id = ${invitation.id}`.execute(db), CHECK);
    await expectRefused(sql`update connections set status = 'pending' where ${pair}`.execute(db), CHECK);
    await expectRefused(sql`update connections set active_action_type = 'audit' where ${pair}`.execute(db), CHECK);
    const action = await insertAction('analytics_request', 'resolved');
    await expectRefused(sql`update connection_actions set status = 'done' where id = ${action.id}`.execute(db), CHECK);
    await expectRefused(
      sql`update connection_actions set action_type = 'audit' where id = ${action.id}`.execute(db),
      CHECK,
    );
  });

  it('refuses lengths outside the contract and a negative score', async () => {
    await expectRefused(insertTestOrganization(db, { name: '' }), CHECK);
    await expectRefused(insertTestOrganization(db, { name: 'n'.repeat(301) }), CHECK);
    await expectRefused(insertTestOrganization(db, { email: 'a@' }), CHECK);
    await expectRefused(insertTestOrganization(db, { owner_email: `${'o'.repeat(95)}@x.test` }), CHECK);
    await insertTestOrganization(db, { name: '🙂'.repeat(300) }); // code points, not UTF-16 units
    await expectRefused(
      db
        .updateTable('connections')
        .set({ total_score: -0.5 })
        .where('host_organization_id', '=', host.id)
        .where('guest_organization_id', '=', guest.id)
        .execute(),
      CHECK,
    );
    await expectRefused(
      db
        .insertInto('idempotency_keys')
        .values({
          organization_id: host.id,
          key: '',
          operation_id: 'createHostConnection',
          request_hash: 'h',
          result: '{}',
        })
        .execute(),
      CHECK,
    );
  });

  it('keeps one active action per (host, guest, action type); resolved ones do not count', async () => {
    const first = await insertAction('documents_update_request');
    await expectRefused(insertAction('documents_update_request'), UNIQUE, 'connection_actions_one_active_per_type');
    await insertAction('analytics_request'); // another type is fine
    await db
      .updateTable('connection_actions')
      .set({ status: 'resolved', resolved_at: new Date() })
      .where('id', '=', first.id)
      .execute();
    await insertAction('documents_update_request');
    await insertAction('documents_update_request', 'resolved');
  });
});
