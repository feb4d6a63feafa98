// Reading and changing one connection from each side, reading organizations, and the rule
// that another organization's record answers 404 exactly like a missing one.
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { engines } from '../support/database.js';
import {
  connectedPair,
  expectProblem,
  expectStatus,
  MISSING_ID,
  send,
  type GuestConnection,
  type HostConnection,
} from './flows.js';

type Organization = { id: string; name: string; email: string; owner_email: string; created_at: string };

describe.each(engines)('one connection on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(engine);
  });

  describe('PATCH /host-connections/{host_org_id} (the guest)', () => {
    it('disconnects and reconnects; the host sees the status', async () => {
      const { host, guest } = await connectedPair(t);
      const path = `/host-connections/${host.organization_id}`;
      const before = await expectStatus<HostConnection>(await send(t, guest, 'GET', path), 200);
      const disconnected = await expectStatus<HostConnection>(
        await send(t, guest, 'PATCH', path, { status: 'disconnected' }),
        200,
      );
      expect(disconnected.status).toBe('disconnected');
      expect(Date.parse(disconnected.updated_at)).toBeGreaterThanOrEqual(Date.parse(before.updated_at));
      expect(disconnected.created_at).toBe(before.created_at);
      const hostView = await expectStatus<GuestConnection>(
        await send(t, host, 'GET', `/guest-connections/${guest.organization_id}`),
        200,
      );
      expect(hostView.status).toBe('disconnected');

      const reconnected = await expectStatus<HostConnection>(
        await send(t, guest, 'PATCH', path, { status: 'connected' }),
        200,
      );
      expect(reconnected.status).toBe('connected');
    });

    it("archives the guest's own flag only; archived_at is set, kept on a repeat, cleared on false", async () => {
      const { host, guest } = await connectedPair(t);
      const path = `/host-connections/${host.organization_id}`;
      const archived = await expectStatus<HostConnection>(await send(t, guest, 'PATCH', path, { archived: true }), 200);
      expect(archived.archived).toBe(true);
      expect(archived.archived_at).not.toBeNull();
      expect(archived.updated_at).toBe(archived.archived_at);
      const hostView = await expectStatus<GuestConnection>(
        await send(t, host, 'GET', `/guest-connections/${guest.organization_id}`),
        200,
      );
      expect(hostView.archived).toBe(false);
      expect(hostView.archived_at).toBeNull();

      // Nothing changes: the same record, updated_at included.
      expect(await expectStatus<HostConnection>(await send(t, guest, 'PATCH', path, { archived: true }), 200)).toEqual(
        archived,
      );

      const restored = await expectStatus<HostConnection>(
        await send(t, guest, 'PATCH', path, { archived: false }),
        200,
      );
      expect(restored.archived).toBe(false);
      expect(restored.archived_at).toBeNull();
    });

    it('changes status and archived together', async () => {
      const { host, guest } = await connectedPair(t);
      const updated = await expectStatus<HostConnection>(
        await send(t, guest, 'PATCH', `/host-connections/${host.organization_id}`, {
          status: 'disconnected',
          archived: true,
        }),
        200,
      );
      expect(updated).toMatchObject({ status: 'disconnected', archived: true });
    });

    it("answers 404 host_connection_not_found for another guest's connection exactly as for a missing one", async () => {
      const { host, guest } = await connectedPair(t);
      const stranger = await t.newOrganization();
      const path = `/host-connections/${host.organization_id}`;
      const foreign = await expectProblem(
        await send(t, stranger, 'PATCH', path, { archived: true }),
        404,
        'host_connection_not_found',
      );
      const missing = await expectProblem(
        await send(t, stranger, 'PATCH', `/host-connections/${MISSING_ID}`, { archived: true }),
        404,
        'host_connection_not_found',
      );
      expect(foreign).toEqual(missing);
      await expectProblem(await send(t, stranger, 'GET', path), 404, 'host_connection_not_found');
      // The host itself has no host connection to itself, nor one "to" its guest.
      await expectProblem(
        await send(t, host, 'GET', `/host-connections/${guest.organization_id}`),
        404,
        'host_connection_not_found',
      );
      expect((await expectStatus<HostConnection>(await send(t, guest, 'GET', path), 200)).archived).toBe(false);
    });
  });

  describe('PATCH /guest-connections/{guest_org_id} (the host)', () => {
    it("archives the host's own flag only, and clears it", async () => {
      const { host, guest } = await connectedPair(t);
      const path = `/guest-connections/${guest.organization_id}`;
      const archived = await expectStatus<GuestConnection>(await send(t, host, 'PATCH', path, { archived: true }), 200);
      expect(archived.archived).toBe(true);
      expect(archived.archived_at).not.toBeNull();
      const guestView = await expectStatus<HostConnection>(
        await send(t, guest, 'GET', `/host-connections/${host.organization_id}`),
        200,
      );
      expect(guestView.archived).toBe(false);
      expect(guestView.archived_at).toBeNull();
      expect(await expectStatus<GuestConnection>(await send(t, host, 'PATCH', path, { archived: true }), 200)).toEqual(
        archived,
      );

      const restored = await expectStatus<GuestConnection>(
        await send(t, host, 'PATCH', path, { archived: false }),
        200,
      );
      expect(restored).toMatchObject({ archived: false, archived_at: null });
    });

    it("answers 404 guest_connection_not_found for another host's guest exactly as for a missing one", async () => {
      const { guest } = await connectedPair(t);
      const stranger = await t.newOrganization();
      const path = `/guest-connections/${guest.organization_id}`;
      const foreign = await expectProblem(await send(t, stranger, 'GET', path), 404, 'guest_connection_not_found');
      const missing = await expectProblem(
        await send(t, stranger, 'GET', `/guest-connections/${MISSING_ID}`),
        404,
        'guest_connection_not_found',
      );
      expect(foreign).toEqual(missing);
      await expectProblem(
        await send(t, stranger, 'PATCH', path, { archived: true }),
        404,
        'guest_connection_not_found',
      );
    });
  });

  describe('GET /organizations/{org_id}', () => {
    it('answers the organization itself', async () => {
      const organization = await t.newOrganization({
        name: 'Self Reader',
        email: 'self@reader.test',
        owner_email: 'boss@reader.test',
      });
      const body = await expectStatus<Organization>(
        await send(t, organization, 'GET', `/organizations/${organization.organization_id}`),
        200,
      );
      expect(body).toEqual({
        id: organization.organization_id,
        name: 'Self Reader',
        email: 'self@reader.test',
        owner_email: 'boss@reader.test',
        created_at: expect.stringMatching(/Z$/),
      });
    });

    it('answers the target for a connected host or guest', async () => {
      const { host, guest } = await connectedPair(t);
      const asHost = await t.request(`/v1/organizations/${guest.organization_id}`, {
        headers: host.headers(guest.organization_id),
      });
      expect((await expectStatus<Organization>(asHost, 200)).id).toBe(guest.organization_id);
      const asGuest = await t.request(`/v1/organizations/${host.organization_id}`, {
        headers: guest.headers(host.organization_id),
      });
      expect((await expectStatus<Organization>(asGuest, 200)).id).toBe(host.organization_id);
    });

    it('answers 404 organization_not_found when org_id is not the target, existing or not', async () => {
      const { host, guest } = await connectedPair(t);
      const other = await expectProblem(
        await send(t, host, 'GET', `/organizations/${guest.organization_id}`),
        404,
        'organization_not_found',
      );
      const missing = await expectProblem(
        await send(t, host, 'GET', `/organizations/${MISSING_ID}`),
        404,
        'organization_not_found',
      );
      expect(other).toEqual(missing);
    });
  });
});
