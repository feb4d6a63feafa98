// Connection actions: the host opens them, the guest resolves them, and the connection's
// active action follows the most recent one still active.
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestOrganization } from '../support/app.js';
import { engines } from '../support/database.js';
import {
  connectedPair,
  expectProblem,
  expectStatus,
  MISSING_ID,
  send,
  type ConnectionAction,
  type GuestConnection,
  type HostConnection,
} from './flows.js';

type ActionList = { items: ConnectionAction[]; total_items: number };
type Pair = { host: TestOrganization; guest: TestOrganization };

describe.each(engines)('connection actions on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(engine);
  });

  async function open(pair: Pair, actionType: ConnectionAction['action_type']): Promise<Response> {
    return send(t, pair.host, 'POST', `/guest-connections/${pair.guest.organization_id}/actions`, {
      action_type: actionType,
    });
  }
  async function resolve(pair: Pair, actionId: string): Promise<Response> {
    return send(t, pair.guest, 'POST', `/host-connections/${pair.host.organization_id}/actions/${actionId}/resolution`);
  }
  async function views(pair: Pair): Promise<{ host: GuestConnection; guest: HostConnection }> {
    return {
      host: await expectStatus<GuestConnection>(
        await send(t, pair.host, 'GET', `/guest-connections/${pair.guest.organization_id}`),
        200,
      ),
      guest: await expectStatus<HostConnection>(
        await send(t, pair.guest, 'GET', `/host-connections/${pair.host.organization_id}`),
        200,
      ),
    };
  }
  /** Pins an action's created_at, so "most recent" does not hang on two requests' milliseconds. */
  async function createdAt(actionId: string, minute: number): Promise<void> {
    await t.store.db
      .updateTable('connection_actions')
      .set({ created_at: new Date(Date.UTC(2030, 0, 1, 0, minute)) })
      .where('id', '=', actionId)
      .execute();
  }

  describe('POST /guest-connections/{guest_org_id}/actions', () => {
    it('opens an active action that becomes the active action of both views', async () => {
      const pair = await connectedPair(t);
      const action = await expectStatus<ConnectionAction>(await open(pair, 'documents_update_request'), 201);
      expect(action).toMatchObject({
        host_organization_id: pair.host.organization_id,
        guest_organization_id: pair.guest.organization_id,
        action_type: 'documents_update_request',
        status: 'active',
      });
      expect(action.updated_at).toBe(action.created_at);
      const { host, guest } = await views(pair);
      for (const view of [host, guest]) {
        expect(view.active_action_type).toBe('documents_update_request');
        expect(view.active_action_updated_at).toBe(action.created_at);
      }
    });

    it('allows one active action per type: 409 action_already_active; another type is fine', async () => {
      const pair = await connectedPair(t);
      const first = await expectStatus<ConnectionAction>(await open(pair, 'documents_update_request'), 201);
      await expectProblem(await open(pair, 'documents_update_request'), 409, 'action_already_active');
      const second = await expectStatus<ConnectionAction>(await open(pair, 'analytics_request'), 201);
      expect((await views(pair)).host).toMatchObject({
        active_action_type: 'analytics_request',
        active_action_updated_at: second.created_at,
      });

      // Once resolved, the type may be opened again.
      await expectStatus(await resolve(pair, first.id), 200);
      await expectStatus(await open(pair, 'documents_update_request'), 201);
    });

    it('needs a connected connection: 409 connection_not_connected', async () => {
      const pair = await connectedPair(t);
      await expectStatus(
        await send(t, pair.guest, 'PATCH', `/host-connections/${pair.host.organization_id}`, {
          status: 'disconnected',
        }),
        200,
      );
      await expectProblem(await open(pair, 'analytics_request'), 409, 'connection_not_connected');
      expect((await views(pair)).host.active_action_type).toBeNull();
    });

    it("answers 404 guest_connection_not_found for another host's guest or a missing one", async () => {
      const pair = await connectedPair(t);
      const stranger = await t.newOrganization();
      await expectProblem(
        await open({ host: stranger, guest: pair.guest }, 'analytics_request'),
        404,
        'guest_connection_not_found',
      );
      const missing = await send(t, pair.host, 'POST', `/guest-connections/${MISSING_ID}/actions`, {
        action_type: 'analytics_request',
      });
      await expectProblem(missing, 404, 'guest_connection_not_found');
      // The guest cannot open actions on its host: it is nobody's host here.
      await expectProblem(
        await open({ host: pair.guest, guest: pair.host }, 'analytics_request'),
        404,
        'guest_connection_not_found',
      );
    });
  });

  describe('POST /host-connections/{host_org_id}/actions/{action_id}/resolution', () => {
    it('resolves an action once: 409 action_already_resolved after', async () => {
      const pair = await connectedPair(t);
      const action = await expectStatus<ConnectionAction>(await open(pair, 'documents_update_request'), 201);
      const resolved = await expectStatus<ConnectionAction>(await resolve(pair, action.id), 200);
      expect(resolved).toMatchObject({ id: action.id, status: 'resolved', created_at: action.created_at });
      expect(Date.parse(resolved.updated_at)).toBeGreaterThanOrEqual(Date.parse(action.updated_at));
      await expectProblem(await resolve(pair, action.id), 409, 'action_already_resolved');
    });

    it('recomputes the active action: the most recent still active, null when none', async () => {
      const pair = await connectedPair(t);
      const documents = await expectStatus<ConnectionAction>(await open(pair, 'documents_update_request'), 201);
      const analytics = await expectStatus<ConnectionAction>(await open(pair, 'analytics_request'), 201);
      await createdAt(documents.id, 1);
      await createdAt(analytics.id, 2);
      const afterOpening = (await views(pair)).guest;
      expect(afterOpening.active_action_type).toBe('analytics_request');

      // Resolving the older one leaves the active action, and its timestamp, as they were.
      await expectStatus(await resolve(pair, documents.id), 200);
      expect((await views(pair)).guest).toMatchObject({
        active_action_type: 'analytics_request',
        active_action_updated_at: afterOpening.active_action_updated_at,
      });

      const resolved = await expectStatus<ConnectionAction>(await resolve(pair, analytics.id), 200);
      const { host, guest } = await views(pair);
      for (const view of [host, guest]) {
        expect(view.active_action_type).toBeNull();
        expect(view.active_action_updated_at).toBe(resolved.updated_at);
      }
    });

    it('falls back to the older active action when the newest is resolved', async () => {
      const pair = await connectedPair(t);
      const documents = await expectStatus<ConnectionAction>(await open(pair, 'documents_update_request'), 201);
      const analytics = await expectStatus<ConnectionAction>(await open(pair, 'analytics_request'), 201);
      await createdAt(documents.id, 1);
      await createdAt(analytics.id, 2);
      const resolved = await expectStatus<ConnectionAction>(await resolve(pair, analytics.id), 200);
      expect((await views(pair)).host).toMatchObject({
        active_action_type: 'documents_update_request',
        active_action_updated_at: resolved.updated_at,
      });
    });

    it('answers 404 action_not_found for a missing action or one of another connection', async () => {
      const pair = await connectedPair(t);
      const other = await connectedPair(t);
      const foreignAction = await expectStatus<ConnectionAction>(await open(other, 'analytics_request'), 201);
      const foreign = await expectProblem(await resolve(pair, foreignAction.id), 404, 'action_not_found');
      const missing = await expectProblem(await resolve(pair, MISSING_ID), 404, 'action_not_found');
      expect(foreign).toEqual(missing);
      expect((await views(other)).host.active_action_type).toBe('analytics_request');
    });

    it('answers 404 host_connection_not_found without a connection to that host', async () => {
      const pair = await connectedPair(t);
      const action = await expectStatus<ConnectionAction>(await open(pair, 'analytics_request'), 201);
      const stranger = await t.newOrganization();
      await expectProblem(
        await resolve({ host: pair.host, guest: stranger }, action.id),
        404,
        'host_connection_not_found',
      );
      // The host cannot resolve its own request: it has no host connection to its guest.
      await expectProblem(
        await resolve({ host: pair.guest, guest: pair.host }, action.id),
        404,
        'host_connection_not_found',
      );
    });
  });

  describe('the action lists', () => {
    let pair: Pair;
    let ids: string[];

    beforeAll(async () => {
      pair = await connectedPair(t);
      const made: ConnectionAction[] = [];
      for (const type of ['documents_update_request', 'analytics_request'] as const) {
        for (let round = 0; round < 2; round++) {
          const action = await expectStatus<ConnectionAction>(await open(pair, type), 201);
          if (round === 0) await expectStatus(await resolve(pair, action.id), 200);
          made.push(action);
        }
      }
      // Two share a created_at, so the id decides between them.
      const minutes = [1, 3, 3, 2];
      for (const [index, action] of made.entries()) await createdAt(action.id, minutes[index] ?? 0);
      ids = made.map((action) => action.id);
    });

    const newestFirst = () => {
      const [a, b, c, d] = ids as [string, string, string, string];
      const [first, second] = b > c ? [b, c] : [c, b];
      return [first, second, d, a];
    };

    for (const side of ['host', 'guest'] as const) {
      const path = () =>
        side === 'host'
          ? `/guest-connections/${pair.guest.organization_id}/actions`
          : `/host-connections/${pair.host.organization_id}/actions`;
      const as = () => (side === 'host' ? pair.host : pair.guest);
      const list = async (query: string) =>
        expectStatus<ActionList>(await send(t, as(), 'GET', `${path()}?${query}`), 200);

      it(`lists the ${side}'s view newest first, ties by id, with the status filter`, async () => {
        const all = await list('');
        expect(all.items.map((action) => action.id)).toEqual(newestFirst());
        expect(all.total_items).toBe(4);
        const active = await list('status=active');
        expect(active.items.map((action) => action.status)).toEqual(['active', 'active']);
        expect(active.total_items).toBe(2);
        expect((await list('status=resolved')).items.map((action) => action.id).sort()).toEqual(
          [ids[0], ids[2]].sort(),
        );
      });

      it(`pages the ${side}'s view with limit and offset`, async () => {
        const page = await list('limit=2&offset=1');
        expect(page.items.map((action) => action.id)).toEqual(newestFirst().slice(1, 3));
        expect(page.total_items).toBe(4);
        expect(await list('offset=4')).toEqual({ items: [], total_items: 4 });
      });
    }

    it('answers 404 for a connection the requester does not have, on either side', async () => {
      const stranger = await t.newOrganization();
      await expectProblem(
        await send(t, stranger, 'GET', `/guest-connections/${pair.guest.organization_id}/actions`),
        404,
        'guest_connection_not_found',
      );
      await expectProblem(
        await send(t, stranger, 'GET', `/host-connections/${pair.host.organization_id}/actions`),
        404,
        'host_connection_not_found',
      );
    });
  });
});
