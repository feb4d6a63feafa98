// POST /host-connections: the seven numbered rules of its description in openapi.yaml, each proven through HTTP.
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { engines } from '../support/database.js';
import {
  connect,
  connectTo,
  expectProblem,
  expectStatus,
  invite,
  json,
  MISSING_ID,
  send,
  type GuestConnection,
  type HostConnection,
  type Invitation,
} from './flows.js';

describe.each(engines)('POST /host-connections on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(engine);
  });

  async function invitationOf(host: Awaited<ReturnType<TestApp['newOrganization']>>, id: string): Promise<Invitation> {
    return expectStatus<Invitation>(await send(t, host, 'GET', `/guest-invitations/${id}`), 200);
  }

  describe('1. the host', () => {
    it('must exist: 404 organization_not_found', async () => {
      const guest = await t.newOrganization();
      await expectProblem(
        await connect(t, guest, MISSING_ID, 'a-token-that-does-not-exist'),
        404,
        'organization_not_found',
      );
    });

    it('must not be the requester: 422 self_connection', async () => {
      const organization = await t.newOrganization();
      const invitation = await invite(t, organization, 'self@example.test');
      await expectProblem(
        await connect(t, organization, organization.organization_id, invitation.invitation_token),
        422,
        'self_connection',
      );
      expect((await invitationOf(organization, invitation.id)).status).toBe('sent');
    });
  });

  describe('2. an existing connection', () => {
    it('answers 409 connection_already_exists and is left untouched, connected or disconnected', async () => {
      const host = await t.newOrganization();
      const guest = await t.newOrganization();
      const first = await invite(t, host, 'first@example.test');
      const created = await expectStatus<HostConnection>(
        await connect(t, guest, host.organization_id, first.invitation_token),
        201,
      );

      const second = await invite(t, host, 'second@example.test');
      await expectProblem(
        await connect(t, guest, host.organization_id, second.invitation_token),
        409,
        'connection_already_exists',
      );
      expect(await json(await send(t, guest, 'GET', `/host-connections/${host.organization_id}`))).toEqual(created);
      expect((await invitationOf(host, second.id)).status).toBe('sent');

      const disconnected = await expectStatus<HostConnection>(
        await send(t, guest, 'PATCH', `/host-connections/${host.organization_id}`, { status: 'disconnected' }),
        200,
      );
      await expectProblem(
        await connect(t, guest, host.organization_id, second.invitation_token),
        409,
        'connection_already_exists',
      );
      await expectProblem(await connect(t, guest, host.organization_id, null), 409, 'connection_already_exists');
      expect(await json(await send(t, guest, 'GET', `/host-connections/${host.organization_id}`))).toEqual(
        disconnected,
      );
      expect((await invitationOf(host, second.id)).status).toBe('sent');
    });

    it('takes precedence over the token checks', async () => {
      const host = await t.newOrganization();
      const guest = await t.newOrganization();
      const invitation = await invite(t, host, 'guest@example.test');
      await expectStatus(await connect(t, guest, host.organization_id, invitation.invitation_token), 201);
      await expectProblem(
        await connect(t, guest, host.organization_id, 'no-such-token-0000'),
        409,
        'connection_already_exists',
      );
    });
  });

  describe('3. with a token', () => {
    it('answers 404 invitation_not_found for an unknown token', async () => {
      const host = await t.newOrganization();
      const guest = await t.newOrganization();
      await expectProblem(
        await connect(t, guest, host.organization_id, 'no-such-token-0000'),
        404,
        'invitation_not_found',
      );
    });

    it("answers 404 invitation_not_found for another host's token, which stays pending", async () => {
      const host = await t.newOrganization();
      const otherHost = await t.newOrganization();
      const guest = await t.newOrganization();
      const invitation = await invite(t, otherHost, 'guest@example.test');
      await expectProblem(
        await connect(t, guest, host.organization_id, invitation.invitation_token),
        404,
        'invitation_not_found',
      );
      expect((await invitationOf(otherHost, invitation.id)).status).toBe('sent');
    });

    it('answers 404 invitation_not_found for an archived invitation', async () => {
      const host = await t.newOrganization();
      const guest = await t.newOrganization();
      const invitation = await invite(t, host, 'guest@example.test');
      await expectStatus(await send(t, host, 'PATCH', `/guest-invitations/${invitation.id}`, { archived: true }), 200);
      await expectProblem(
        await connect(t, guest, host.organization_id, invitation.invitation_token),
        404,
        'invitation_not_found',
      );
    });

    it('answers 410 invitation_expired for an expired invitation', async () => {
      const host = await t.newOrganization();
      const guest = await t.newOrganization();
      const invitation = await invite(t, host, 'guest@example.test');
      const expiredAt = new Date(Date.now() - 1000);
      await t.store.db
        .updateTable('invitations')
        .set({ expired_at: expiredAt })
        .where('id', '=', invitation.id)
        .execute();
      const problem = await expectProblem(
        await connect(t, guest, host.organization_id, invitation.invitation_token),
        410,
        'invitation_expired',
      );
      expect(problem.detail).toContain(expiredAt.toISOString());
      expect((await invitationOf(host, invitation.id)).status).toBe('sent');
    });

    it('answers 409 invitation_already_accepted for an invitation another guest accepted', async () => {
      const host = await t.newOrganization();
      const guest = await t.newOrganization();
      const latecomer = await t.newOrganization();
      const invitation = await invite(t, host, 'guest@example.test');
      await expectStatus(await connect(t, guest, host.organization_id, invitation.invitation_token), 201);
      await expectProblem(
        await connect(t, latecomer, host.organization_id, invitation.invitation_token),
        409,
        'invitation_already_accepted',
      );
      await expectProblem(
        await send(t, latecomer, 'GET', `/host-connections/${host.organization_id}`),
        404,
        'host_connection_not_found',
      );
    });

    it('accepts the invitation as accepted_by_guest, with accepted_at', async () => {
      const host = await t.newOrganization();
      const guest = await t.newOrganization();
      const invitation = await invite(t, host, 'someone-else@example.test');
      const before = Date.now();
      await expectStatus(await connect(t, guest, host.organization_id, invitation.invitation_token), 201);
      const accepted = await invitationOf(host, invitation.id);
      expect(accepted.status).toBe('accepted_by_guest');
      expect(accepted.accepted_at).not.toBeNull();
      expect(Date.parse(accepted.accepted_at ?? '')).toBeGreaterThanOrEqual(before - 1);
      expect(accepted.updated_at).toBe(accepted.accepted_at);
    });
  });

  describe('4. without a token', () => {
    it("accepts a pending invitation to the guest's e-mail, case-insensitively, as accepted_by_system", async () => {
      const host = await t.newOrganization();
      // Unique per run: an address another organization has too is never matched (the next rule).
      const tag = host.organization_id.slice(0, 8);
      const guest = await t.newOrganization({ email: `Finance.Dept-${tag}@Acme-Case.example` });
      const invitation = await invite(t, host, `FINANCE.dept-${tag}@acme-case.EXAMPLE`);
      await expectStatus(await connect(t, guest, host.organization_id), 201);
      const accepted = await invitationOf(host, invitation.id);
      expect(accepted.status).toBe('accepted_by_system');
      expect(accepted.accepted_at).not.toBeNull();
    });

    it("finds an invitation to the guest's owner_email, and treats a null token like an absent one", async () => {
      const host = await t.newOrganization();
      const tag = host.organization_id.slice(0, 8);
      const guest = await t.newOrganization({ owner_email: `Boss-${tag}@Owner-Case.example` });
      const invitation = await invite(t, host, `boss-${tag}@owner-case.example`);
      await expectStatus(await connect(t, guest, host.organization_id, null), 201);
      expect((await invitationOf(host, invitation.id)).status).toBe('accepted_by_system');
    });

    it('accepts the oldest matching invitation and leaves the others pending', async () => {
      const host = await t.newOrganization();
      const guest = await t.newOrganization();
      const email = `guest-${guest.organization_id}@example.test`;
      const newer = await invite(t, host, email);
      const older = await invite(t, host, email);
      await t.store.db
        .updateTable('invitations')
        .set({ created_at: new Date(Date.now() - 60_000) })
        .where('id', '=', older.id)
        .execute();
      await t.store.db.updateTable('organizations').set({ email }).where('id', '=', guest.organization_id).execute();
      await expectStatus(await connect(t, guest, host.organization_id), 201);
      expect((await invitationOf(host, older.id)).status).toBe('accepted_by_system');
      expect((await invitationOf(host, newer.id)).status).toBe('sent');
    });

    it('never takes an invitation to an address another organization has too: 422 invitation_token_required; the token still works', async () => {
      const host = await t.newOrganization();
      const shared = `Shared-${host.organization_id.slice(0, 8)}@x.example`;
      // X has the address as owner_email, Y as email; the host means Y.
      const x = await t.newOrganization({ owner_email: shared });
      const y = await t.newOrganization({ email: shared.toLowerCase() });
      const invitation = await invite(t, host, shared.toUpperCase());
      for (const caller of [x, y]) {
        await expectProblem(await connect(t, caller, host.organization_id), 422, 'invitation_token_required');
        await expectProblem(await connect(t, caller, host.organization_id, null), 422, 'invitation_token_required');
      }
      expect((await invitationOf(host, invitation.id)).status).toBe('sent');
      await expectStatus(await connect(t, y, host.organization_id, invitation.invitation_token), 201);
      expect((await invitationOf(host, invitation.id)).status).toBe('accepted_by_guest');
    });

    it("prefers an invitation to an address of the guest's own over an older one to a shared address", async () => {
      const host = await t.newOrganization();
      const shared = `shared-${host.organization_id.slice(0, 8)}@x.example`;
      const guest = await t.newOrganization({ owner_email: shared });
      await t.newOrganization({ email: shared });
      const toShared = await invite(t, host, shared);
      const toOwn = await invite(t, host, `org-${guest.client_id}@example.test`);
      await t.store.db
        .updateTable('invitations')
        .set({ created_at: new Date(Date.now() - 60_000) })
        .where('id', '=', toShared.id)
        .execute();
      await t.store.db
        .updateTable('organizations')
        .set({ email: `org-${guest.client_id}@example.test` })
        .where('id', '=', guest.organization_id)
        .execute();
      await expectStatus(await connect(t, guest, host.organization_id), 201);
      expect((await invitationOf(host, toOwn.id)).status).toBe('accepted_by_system');
      expect((await invitationOf(host, toShared.id)).status).toBe('sent');
    });

    it('ignores expired, archived, accepted and other addresses: 422 no_matching_invitation', async () => {
      const host = await t.newOrganization();
      const guest = await t.newOrganization();
      const other = await t.newOrganization();
      const email = `guest-${guest.organization_id}@example.test`;
      await t.store.db.updateTable('organizations').set({ email }).where('id', '=', guest.organization_id).execute();

      const expired = await invite(t, host, email);
      await t.store.db
        .updateTable('invitations')
        .set({ expired_at: new Date(Date.now() - 1000) })
        .where('id', '=', expired.id)
        .execute();
      const archived = await invite(t, host, email);
      await expectStatus(await send(t, host, 'PATCH', `/guest-invitations/${archived.id}`, { archived: true }), 200);
      const accepted = await invite(t, host, email);
      await expectStatus(await connect(t, other, host.organization_id, accepted.invitation_token), 201);
      await invite(t, host, `not-${email}`);
      const otherHost = await t.newOrganization();
      await invite(t, otherHost, email);

      await expectProblem(await connect(t, guest, host.organization_id), 422, 'no_matching_invitation');
      await expectProblem(await connect(t, guest, host.organization_id, null), 422, 'no_matching_invitation');
      for (const id of [expired.id, archived.id]) expect((await invitationOf(host, id)).status).toBe('sent');
    });
  });

  describe('5 and 6. the new connection', () => {
    it('answers 201 with the host connection and its Location; both sides see it', async () => {
      const host = await t.newOrganization({ name: 'Host For Location' });
      const guest = await t.newOrganization();
      const parent = await t.newOrganization();
      await connectTo(t, host, parent);
      const invitation = await invite(t, host, 'guest@example.test', {
        parent_organization_id: parent.organization_id,
      });
      const response = await connect(t, guest, host.organization_id, invitation.invitation_token);
      const created = await expectStatus<HostConnection>(response, 201);
      expect(response.headers.get('location')).toBe(`/v1/host-connections/${host.organization_id}`);
      expect(response.headers.get('idempotency-replayed')).toBeNull();
      expect(created).toMatchObject({
        host_organization_id: host.organization_id,
        guest_organization_id: guest.organization_id,
        host_name: 'Host For Location',
        status: 'connected',
        archived: false,
        archived_at: null,
        active_action_type: null,
        active_action_updated_at: null,
      });
      expect(created.created_at).toBe(created.updated_at);
      expect(created.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      expect(await json(await t.request(response.headers.get('location') ?? '', { headers: guest.headers() }))).toEqual(
        created,
      );

      const guestView = await expectStatus<GuestConnection>(
        await send(t, host, 'GET', `/guest-connections/${guest.organization_id}`),
        200,
      );
      expect(guestView).toMatchObject({
        status: 'connected',
        archived: false,
        active_action_type: null,
        parent_organization_id: parent.organization_id,
        total_score: null,
        score_updated_at: null,
      });
      expect(guestView.parent_organization_name).toMatch(/^Organization /);
    });

    it('accepts an upper-case host id and answers in lower case', async () => {
      const host = await t.newOrganization();
      const guest = await t.newOrganization();
      const invitation = await invite(t, host, 'guest@example.test');
      const response = await connect(t, guest, host.organization_id.toUpperCase(), invitation.invitation_token);
      const created = await expectStatus<HostConnection>(response, 201);
      expect(created.host_organization_id).toBe(host.organization_id);
      expect(response.headers.get('location')).toBe(`/v1/host-connections/${host.organization_id}`);
    });

    it('changes nothing when a rule is broken', async () => {
      const host = await t.newOrganization();
      const guest = await t.newOrganization();
      const invitation = await invite(t, host, 'guest@example.test');
      await t.store.db
        .updateTable('invitations')
        .set({ expired_at: new Date(Date.now() - 1) })
        .where('id', '=', invitation.id)
        .execute();
      await expectProblem(
        await connect(t, guest, host.organization_id, invitation.invitation_token),
        410,
        'invitation_expired',
      );
      const rows = await t.store.db
        .selectFrom('connections')
        .select('status')
        .where('guest_organization_id', '=', guest.organization_id)
        .execute();
      expect(rows).toEqual([]);
    });
  });

  describe('7. Idempotency-Key', () => {
    it('replays the first response, with Idempotency-Replayed: true, for the same key and body', async () => {
      const host = await t.newOrganization();
      const guest = await t.newOrganization();
      const invitation = await invite(t, host, 'guest@example.test');
      const key = { 'Idempotency-Key': 'retry-me' };
      const first = await connect(t, guest, host.organization_id, invitation.invitation_token, key);
      const firstBody = await expectStatus<HostConnection>(first, 201);

      // The connection changes meanwhile; the replay is still the first answer, byte for byte.
      await expectStatus(
        await send(t, guest, 'PATCH', `/host-connections/${host.organization_id}`, { archived: true }),
        200,
      );
      const again = await t.request('/v1/host-connections', {
        method: 'POST',
        headers: { ...guest.headers(), 'Content-Type': 'application/json', ...key },
        // Same body, other key order: the same request.
        body: JSON.stringify({
          invitation_token: invitation.invitation_token,
          host_organization_id: host.organization_id,
        }),
      });
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotency-replayed')).toBe('true');
      expect(again.headers.get('location')).toBe(first.headers.get('location'));
      expect(await json(again)).toEqual(firstBody);
    });

    it('answers 422 idempotency_key_reused for the same key with another body', async () => {
      const host = await t.newOrganization();
      const guest = await t.newOrganization();
      const invitation = await invite(t, host, 'guest@example.test');
      const key = { 'Idempotency-Key': 'one-key' };
      await expectStatus(await connect(t, guest, host.organization_id, invitation.invitation_token, key), 201);
      await expectProblem(await connect(t, guest, host.organization_id, null, key), 422, 'idempotency_key_reused');
      await expectProblem(
        await connect(t, guest, MISSING_ID, invitation.invitation_token, key),
        422,
        'idempotency_key_reused',
      );
    });

    it('treats an absent and a null token as the same body', async () => {
      const host = await t.newOrganization();
      const guest = await t.newOrganization();
      const email = `guest-${guest.organization_id}@example.test`;
      await t.store.db.updateTable('organizations').set({ email }).where('id', '=', guest.organization_id).execute();
      await invite(t, host, email);
      const key = { 'Idempotency-Key': 'null-or-absent' };
      await expectStatus(await connect(t, guest, host.organization_id, undefined, key), 201);
      const replay = await connect(t, guest, host.organization_id, null, key);
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotency-replayed')).toBe('true');
    });

    it('scopes keys to the organization: the same key from another guest is independent', async () => {
      const host = await t.newOrganization();
      const first = await t.newOrganization();
      const second = await t.newOrganization();
      const key = { 'Idempotency-Key': 'shared-key' };
      const a = await invite(t, host, 'a@example.test');
      const b = await invite(t, host, 'b@example.test');
      const answerA = await connect(t, first, host.organization_id, a.invitation_token, key);
      const answerB = await connect(t, second, host.organization_id, b.invitation_token, key);
      expect((await expectStatus<HostConnection>(answerA, 201)).guest_organization_id).toBe(first.organization_id);
      expect((await expectStatus<HostConnection>(answerB, 201)).guest_organization_id).toBe(second.organization_id);
      expect(answerB.headers.get('idempotency-replayed')).toBeNull();
    });

    it('remembers no error: a retry after a failure runs again', async () => {
      const host = await t.newOrganization();
      const guest = await t.newOrganization();
      const invitation = await invite(t, host, 'guest@example.test');
      await expectStatus(await send(t, host, 'PATCH', `/guest-invitations/${invitation.id}`, { archived: true }), 200);
      const key = { 'Idempotency-Key': 'after-failure' };
      await expectProblem(
        await connect(t, guest, host.organization_id, invitation.invitation_token, key),
        404,
        'invitation_not_found',
      );
      await expectStatus(await send(t, host, 'PATCH', `/guest-invitations/${invitation.id}`, { archived: false }), 200);
      const retry = await connect(t, guest, host.organization_id, invitation.invitation_token, key);
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotency-replayed')).toBeNull();
    });

    it('forgets a key after 24 hours: the request runs again', async () => {
      const host = await t.newOrganization();
      const guest = await t.newOrganization();
      const invitation = await invite(t, host, 'guest@example.test');
      const key = { 'Idempotency-Key': 'old-key' };
      await expectStatus(await connect(t, guest, host.organization_id, invitation.invitation_token, key), 201);
      await t.store.db
        .updateTable('idempotency_keys')
        .set({ created_at: new Date(Date.now() - 24 * 60 * 60 * 1000 - 1000) })
        .where('organization_id', '=', guest.organization_id)
        .execute();
      // Run again, the request meets the connection it made the first time.
      await expectProblem(
        await connect(t, guest, host.organization_id, invitation.invitation_token, key),
        409,
        'connection_already_exists',
      );
      // Another body under the old key is no longer "reused": it runs, and its answer is stored.
      const otherHost = await t.newOrganization();
      const other = await invite(t, otherHost, 'guest@example.test');
      await expectStatus(await connect(t, guest, otherHost.organization_id, other.invitation_token, key), 201);
      const replay = await connect(t, guest, otherHost.organization_id, other.invitation_token, key);
      expect(replay.headers.get('idempotency-replayed')).toBe('true');
    });
  });
});
