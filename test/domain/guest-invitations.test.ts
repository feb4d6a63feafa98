// The host's invitations: creation rules, reading, archiving, and the list's filters and orders.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadContract } from '../../server/contract/document.js';
import { createGuestInvitation } from '../../server/domain/guest-invitations.js';
import { ProblemError } from '../../server/domain/problems.js';
import { asHost } from '../../server/store/pair.js';
import type { InvitationUpdate } from '../../server/store/schema.js';
import { createTestApp, type TestApp, type TestOrganization } from '../support/app.js';
import { engines } from '../support/database.js';
import {
  connect,
  connectTo,
  expectedOrder,
  expectProblem,
  expectStatus,
  inDays,
  invite,
  MISSING_ID,
  send,
  type Invitation,
} from './flows.js';

type InvitationList = { items: Invitation[]; total_items: number };

describe.each(engines)('guest invitations on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(engine);
  });

  describe('POST /guest-invitations', () => {
    it('creates a pending invitation with a fresh token and a Location', async () => {
      const host = await t.newOrganization();
      const expiredAt = inDays(7);
      const response = await send(t, host, 'POST', '/guest-invitations', {
        email: 'Guest@Example.test',
        expired_at: expiredAt,
      });
      const invitation = await expectStatus<Invitation>(response, 201);
      expect(response.headers.get('location')).toBe(`/v1/guest-invitations/${invitation.id}`);
      expect(invitation).toMatchObject({
        host_organization_id: host.organization_id,
        email: 'Guest@Example.test',
        expired_at: expiredAt,
        expired: false,
        status: 'sent',
        archived: false,
        accepted_at: null,
        archived_at: null,
        parent_organization_id: null,
        parent_organization_name: null,
      });
      expect(invitation.first_invitation_sent_at).toBe(invitation.created_at);
      expect(invitation.last_invitation_sent_at).toBe(invitation.created_at);
      expect(invitation.updated_at).toBe(invitation.created_at);
      // 256 random bits in base64url.
      expect(invitation.invitation_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const second = await invite(t, host, 'Guest@Example.test');
      expect(second.invitation_token).not.toBe(invitation.invitation_token);
    });

    it('answers 422 validation_failed at /expired_at for a past expiry', async () => {
      const host = await t.newOrganization();
      const response = await send(t, host, 'POST', '/guest-invitations', {
        email: 'guest@example.test',
        expired_at: '2020-01-01T00:00:00Z',
      });
      const problem = await expectProblem(response, 422, 'validation_failed');
      expect(problem.errors).toEqual([
        { location: 'body', pointer: '/expired_at', message: expect.stringContaining('future') },
      ]);
      const list = await expectStatus<InvitationList>(await send(t, host, 'GET', '/guest-invitations'), 200);
      expect(list.total_items).toBe(0);
    });

    it('answers 422 validation_failed at /expired_at for a timestamp that is not UTC with Z', async () => {
      const host = await t.newOrganization();
      const response = await send(t, host, 'POST', '/guest-invitations', {
        email: 'guest@example.test',
        expired_at: '2099-01-01T00:00:00+02:00',
      });
      const problem = await expectProblem(response, 422, 'validation_failed');
      expect(problem.errors.map((e) => e.pointer)).toEqual(['/expired_at']);
    });

    it('counts an expiry equal to now as past (expired = now ≥ expired_at)', async () => {
      const host = await t.newOrganization();
      const now = new Date('2031-05-06T07:08:09.010Z');
      const attempt = createGuestInvitation(
        t.store.db,
        asHost(host.organization_id),
        { email: 'a@example.test', expired_at: now.toISOString() },
        now,
      );
      await expect(attempt).rejects.toThrow(ProblemError);
      await expect(attempt).rejects.toMatchObject({ code: 'validation_failed' });
      const justAfter = new Date(now.getTime() + 1).toISOString();
      const created = await createGuestInvitation(
        t.store.db,
        asHost(host.organization_id),
        { email: 'a@example.test', expired_at: justAfter },
        now,
      );
      expect(created.expired).toBe(false);
    });

    it('names the parent organization, and answers 404 organization_not_found for an unknown one', async () => {
      const host = await t.newOrganization();
      const parent = await t.newOrganization({ name: 'Parent Holding' });
      await connectTo(t, host, parent);
      const invitation = await invite(t, host, 'guest@example.test', {
        parent_organization_id: parent.organization_id.toUpperCase(),
      });
      expect(invitation.parent_organization_id).toBe(parent.organization_id);
      expect(invitation.parent_organization_name).toBe('Parent Holding');
      const fetched = await expectStatus<Invitation>(
        await send(t, host, 'GET', `/guest-invitations/${invitation.id}`),
        200,
      );
      expect(fetched).toEqual(invitation);

      const response = await send(t, host, 'POST', '/guest-invitations', {
        email: 'guest@example.test',
        expired_at: inDays(1),
        parent_organization_id: MISSING_ID,
      });
      await expectProblem(response, 404, 'organization_not_found');
      await invite(t, host, 'explicit-null@example.test', { parent_organization_id: null });
    });
  });

  describe('GET and PATCH /guest-invitations/{id}', () => {
    it("answers 404 invitation_not_found for another host's invitation exactly as for a missing one", async () => {
      const host = await t.newOrganization();
      const stranger = await t.newOrganization();
      const invitation = await invite(t, host, 'guest@example.test');
      const foreign = await expectProblem(
        await send(t, stranger, 'GET', `/guest-invitations/${invitation.id}`),
        404,
        'invitation_not_found',
      );
      const missing = await expectProblem(
        await send(t, stranger, 'GET', `/guest-invitations/${MISSING_ID}`),
        404,
        'invitation_not_found',
      );
      expect(foreign).toEqual(missing);
      await expectProblem(
        await send(t, stranger, 'PATCH', `/guest-invitations/${invitation.id}`, { archived: true }),
        404,
        'invitation_not_found',
      );
      expect(
        (await expectStatus<Invitation>(await send(t, host, 'GET', `/guest-invitations/${invitation.id}`), 200))
          .archived,
      ).toBe(false);
    });

    it('derives expired from expired_at', async () => {
      const host = await t.newOrganization();
      const invitation = await invite(t, host, 'guest@example.test');
      await t.store.db
        .updateTable('invitations')
        .set({ expired_at: new Date(Date.now() - 1) })
        .where('id', '=', invitation.id)
        .execute();
      expect(
        (await expectStatus<Invitation>(await send(t, host, 'GET', `/guest-invitations/${invitation.id}`), 200))
          .expired,
      ).toBe(true);
    });

    it('archives (setting archived_at once), keeps it on a repeat, and unarchives (clearing it)', async () => {
      const host = await t.newOrganization();
      const invitation = await invite(t, host, 'guest@example.test');
      const path = `/guest-invitations/${invitation.id}`;
      const archived = await expectStatus<Invitation>(await send(t, host, 'PATCH', path, { archived: true }), 200);
      expect(archived.archived).toBe(true);
      expect(archived.archived_at).not.toBeNull();
      expect(archived.updated_at).toBe(archived.archived_at);
      expect(Date.parse(archived.updated_at)).toBeGreaterThan(Date.parse(invitation.updated_at) - 1);

      const again = await expectStatus<Invitation>(await send(t, host, 'PATCH', path, { archived: true }), 200);
      expect(again).toEqual(archived);

      const restored = await expectStatus<Invitation>(await send(t, host, 'PATCH', path, { archived: false }), 200);
      expect(restored.archived).toBe(false);
      expect(restored.archived_at).toBeNull();
      expect(restored.invitation_token).toBe(invitation.invitation_token);
    });
  });

  describe('GET /guest-invitations', () => {
    let host: TestOrganization;
    let ids: Record<'alpha' | 'bravo' | 'charlie' | 'delta' | 'echo' | 'alpha2', string>;
    let all: Invitation[];

    async function list(query: string): Promise<InvitationList> {
      return expectStatus<InvitationList>(await send(t, host, 'GET', `/guest-invitations?${query}`), 200);
    }
    async function listIds(query: string): Promise<string[]> {
      return (await list(query)).items.map((item) => item.id).sort();
    }
    const sorted = (...names: (keyof typeof ids)[]): string[] => names.map((name) => ids[name]).sort();

    beforeAll(async () => {
      host = await t.newOrganization();
      // Unique per run: the system matches no address that an organization of an earlier run has too.
      const deltaEmail = `delta_1@${host.organization_id.slice(0, 8)}.list.test`;
      const made = {
        alpha: await invite(t, host, 'alpha@list.test'),
        bravo: await invite(t, host, 'Bravo@list.test'),
        charlie: await invite(t, host, 'charlie%@list.test'),
        delta: await invite(t, host, deltaEmail),
        echo: await invite(t, host, 'echo@list.test'),
        alpha2: await invite(t, host, 'ALPHA@list.test'),
      };
      ids = {
        alpha: made.alpha.id,
        bravo: made.bravo.id,
        charlie: made.charlie.id,
        delta: made.delta.id,
        echo: made.echo.id,
        alpha2: made.alpha2.id,
      };
      const byGuest = await t.newOrganization();
      await expectStatus(await connect(t, byGuest, host.organization_id, made.bravo.invitation_token), 201);
      const bySystem = await t.newOrganization({ email: deltaEmail });
      await expectStatus(await connect(t, bySystem, host.organization_id), 201);
      for (const id of [ids.charlie, ids.echo]) {
        await expectStatus(await send(t, host, 'PATCH', `/guest-invitations/${id}`, { archived: true }), 200);
      }

      // Values with ties and blanks, so that every order depends on the nulls rule and the tie-break.
      const at = (minute: number) => new Date(Date.UTC(2030, 0, 1, 0, minute));
      const db = t.store.db;
      const set = (id: string, values: InvitationUpdate) =>
        db.updateTable('invitations').set(values).where('id', '=', id).execute();
      await set(ids.alpha, {
        created_at: at(1),
        updated_at: at(5),
        first_invitation_sent_at: at(1),
        last_invitation_sent_at: at(9),
        expired_at: at(60 * 24 * 365 * 5),
      });
      await set(ids.bravo, {
        created_at: at(1),
        updated_at: at(4),
        first_invitation_sent_at: at(2),
        last_invitation_sent_at: at(9),
        accepted_at: at(7),
      });
      await set(ids.charlie, {
        created_at: at(2),
        updated_at: at(4),
        first_invitation_sent_at: at(2),
        last_invitation_sent_at: at(3),
        archived_at: at(8),
      });
      await set(ids.delta, {
        created_at: at(3),
        updated_at: at(3),
        first_invitation_sent_at: at(3),
        last_invitation_sent_at: at(3),
        accepted_at: at(7),
      });
      await set(ids.echo, {
        created_at: at(4),
        updated_at: at(2),
        first_invitation_sent_at: at(4),
        last_invitation_sent_at: at(1),
        archived_at: at(8),
        expired_at: new Date(Date.now() - 60_000),
      });
      await set(ids.alpha2, {
        created_at: at(5),
        updated_at: at(1),
        first_invitation_sent_at: at(5),
        last_invitation_sent_at: at(1),
        expired_at: new Date(Date.now() - 60_000),
      });
      all = (await list('limit=100')).items;
      expect(all).toHaveLength(6);
    });

    it('lists only the host’s own invitations, by default in created_at order', async () => {
      const stranger = await t.newOrganization();
      await invite(t, stranger, 'alpha@list.test');
      const page = await list('');
      expect(page.total_items).toBe(6);
      const ids = (invitations: Invitation[]) => invitations.map((invitation) => invitation.id);
      expect(ids(page.items)).toEqual(
        ids(
          expectedOrder(
            all,
            (item) => item.created_at,
            (item) => item.id,
            'asc',
          ),
        ),
      );
    });

    it('filters by statuses', async () => {
      expect(await listIds('statuses=sent')).toEqual(sorted('alpha', 'charlie', 'echo', 'alpha2'));
      expect(await listIds('statuses=accepted_by_guest')).toEqual(sorted('bravo'));
      expect(await listIds('statuses=accepted_by_guest&statuses=accepted_by_system')).toEqual(sorted('bravo', 'delta'));
    });

    it('searches the e-mail case-insensitively, taking %, _ and \\ literally', async () => {
      expect(await listIds('search_text=ALPHA')).toEqual(sorted('alpha', 'alpha2'));
      expect(await listIds('search_text=bRaVo%40LIST')).toEqual(sorted('bravo'));
      expect(await listIds(`search_text=${encodeURIComponent('%')}`)).toEqual(sorted('charlie'));
      expect(await listIds(`search_text=${encodeURIComponent('_')}`)).toEqual(sorted('delta'));
      // Taken as wildcards these would match charlie% and delta_1; taken literally, nothing.
      expect(await listIds(`search_text=${encodeURIComponent('e\\%')}`)).toEqual([]);
      expect(await listIds(`search_text=${encodeURIComponent('a\\_')}`)).toEqual([]);
      expect(await listIds(`search_text=${encodeURIComponent('\\')}`)).toEqual([]);
      expect(await listIds('search_text=nobody')).toEqual([]);
    });

    it('filters by expired and archived, and combines filters with AND', async () => {
      expect(await listIds('expired=true')).toEqual(sorted('echo', 'alpha2'));
      expect(await listIds('expired=false')).toEqual(sorted('alpha', 'bravo', 'charlie', 'delta'));
      expect(await listIds('archived=true')).toEqual(sorted('charlie', 'echo'));
      expect(await listIds('archived=false')).toEqual(sorted('alpha', 'bravo', 'delta', 'alpha2'));
      const combined = await list('statuses=sent&expired=false&archived=false&search_text=alpha');
      expect(combined.items.map((item) => item.id)).toEqual([ids.alpha]);
      expect(combined.total_items).toBe(1);
    });

    const orders = [
      'email',
      'first_invitation_sent_at',
      'last_invitation_sent_at',
      'expired_at',
      'accepted_at',
      'archived_at',
      'created_at',
      'updated_at',
    ] as const;
    it('covers every order of the contract', () => {
      const parameter = loadContract()
        .byId.get('listGuestInvitations')
        ?.parameters.find((p) => p.name === 'order_by');
      expect([...orders].sort()).toEqual([...((parameter?.schema.enum as string[] | undefined) ?? [])].sort());
    });
    for (const orderBy of orders) {
      for (const dir of ['asc', 'desc'] as const) {
        it(`orders by ${orderBy} ${dir}, nulls last, ties by id`, async () => {
          const value = (item: Invitation) => (orderBy === 'email' ? item.email.toLowerCase() : item[orderBy]);
          const expected = expectedOrder(all, value, (item) => item.id, dir).map((item) => item.id);
          const page = await list(`order_by=${orderBy}&order_dir=${dir}`);
          expect(page.items.map((item) => item.id)).toEqual(expected);
        });
      }
    }

    it('pages with limit and offset; total_items counts every match', async () => {
      const full = (await list('order_by=email&order_dir=desc')).items.map((item) => item.id);
      const page = await list('order_by=email&order_dir=desc&limit=2&offset=1');
      expect(page.items.map((item) => item.id)).toEqual(full.slice(1, 3));
      expect(page.total_items).toBe(6);
      const beyond = await list('order_by=email&limit=5&offset=6');
      expect(beyond).toEqual({ items: [], total_items: 6 });
      const filtered = await list('statuses=sent&limit=1');
      expect(filtered.items).toHaveLength(1);
      expect(filtered.total_items).toBe(4);
    });
  });
});
