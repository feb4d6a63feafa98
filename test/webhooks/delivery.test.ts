// Webhooks end to end on the embedded database: a change commits, the dispatcher is woken by
// the commit and sends a signed event to a receiver on loopback, which checks it the ways a
// receiver would (connections-api-client/webhooks, the standardwebhooks package, the contract).
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook, type WebhookEvent } from '../../client/webhooks/index.js';
import { createAjv, anchored } from '../../server/contract/ajv.js';
import { loadContract } from '../../server/contract/document.js';
import { webhooks } from '../../generated/operations.js';
import { blockListOf } from '../../server/domain/webhook-addresses.js';
import { DELIVERIES_CHANNEL, enqueueEvent, objectData } from '../../server/store/webhook-outbox.js';
import { createDispatcher, type Dispatcher } from '../../server/webhooks/dispatcher.js';
import { httpSender, type Send } from '../../server/webhooks/http-sender.js';
import { testAppOn, type TestApp, type TestOrganization } from '../support/app.js';
import { openTestStore } from '../support/database.js';
import { connectedPair, expectStatus, send } from '../domain/flows.js';
import { loopbackPolicy, startReceiver, type Receiver } from './receiver.js';

type Endpoint = { id: string; secret: string | null };
const ALL_TYPES = Object.keys(webhooks);
// The dispatcher polls only once a minute here, so an event that arrives within the receiver's
// wait (5 s, generous for a busy machine) was sent because the commit woke the dispatcher.
const POLL_MS = 60_000;

describe('webhook delivery on pglite', () => {
  let t: TestApp;
  let receiver: Receiver;
  let dispatcher: Dispatcher;
  let unlisten: () => Promise<void>;

  beforeAll(async () => {
    const store = await openTestStore('pglite');
    t = testAppOn(store, { webhookPolicy: loopbackPolicy });
    receiver = await startReceiver();
    const http = httpSender(blockListOf(['127.0.0.0/8']));
    // The store is shared with other test files: their deliveries are not this file's to send.
    const scoped: Send = (outgoing) =>
      outgoing.url.startsWith(receiver.url) ? http(outgoing) : Promise.reject(new Error('not this test file'));
    dispatcher = createDispatcher({ db: store.db, send: scoped, pollMs: POLL_MS });
    unlisten = await store.listen(DELIVERIES_CHANNEL, () => dispatcher.wake());
    dispatcher.start();
  });

  afterAll(async () => {
    // The receiver first: it cuts the attempts it holds, which the dispatcher's stop waits for.
    await receiver.close();
    await unlisten();
    await dispatcher.stop();
  });

  async function register(organization: TestOrganization, path: string, eventTypes = ALL_TYPES): Promise<Endpoint> {
    const response = await send(t, organization, 'POST', '/webhook-endpoints', {
      url: `${receiver.url}${path}`,
      event_types: eventTypes,
    });
    return expectStatus<Endpoint>(response, 201);
  }

  it('sends guest_connection.created to the host when the change commits, signed and valid against the contract', async () => {
    const host = await t.newOrganization();
    const guest = await t.newOrganization();
    const endpoint = await register(host, `/created-${host.organization_id}`, [
      'guest_connection.created',
      'guest_invitation.accepted',
    ]);
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const invitation = await expectStatus<{ invitation_token: string }>(
      await send(t, host, 'POST', '/guest-invitations', {
        email: `guest-${guest.organization_id}@example.test`,
        expired_at: '2099-01-01T00:00:00Z',
      }),
      201,
    );
    const committed = Date.now();
    await expectStatus(
      await send(t, guest, 'POST', '/host-connections', {
        host_organization_id: host.organization_id,
        invitation_token: invitation.invitation_token,
      }),
      201,
    );
    const both = await receiver.waitFor(`/created-${host.organization_id}`, 2);
    const received = both.find((entry) => entry.body.includes('"guest_connection.created"'));
    if (received === undefined) throw new Error('no guest_connection.created received');
    expect(received.at - committed).toBeLessThan(POLL_MS);
    const secret = endpoint.secret ?? '';
    const event = verifyWebhook(received.body, received.headers, secret);
    expect(event.type).toBe('guest_connection.created');
    if (event.type !== 'guest_connection.created') return;
    expect(event.data).toMatchObject({
      host_organization_id: host.organization_id,
      guest_organization_id: guest.organization_id,
      status: 'connected',
    });
    const headers = received.headers as Record<string, string>;
    expect(new Webhook(secret).verify(received.body, headers)).toEqual(JSON.parse(received.body));
    const validate = createAjv(loadContract(), false).compile(anchored(webhooks['guest_connection.created'].schema));
    expect(validate(JSON.parse(received.body)), JSON.stringify(validate.errors)).toBe(true);
    const accepted = both.map((entry) => verifyWebhook(entry.body, entry.headers, secret));
    expect(accepted.find((e) => e.type === 'guest_invitation.accepted')?.data).toMatchObject({
      status: 'accepted_by_guest',
      host_organization_id: host.organization_id,
    });

    // Sent again on request: the same webhook-id and body, a fresh signature.
    const deliveries = await expectStatus<{ items: { id: string; webhook_id: string; status: string }[] }>(
      await send(t, host, 'GET', `/webhook-endpoints/${endpoint.id}/deliveries?event_type=guest_connection.created`),
      200,
    );
    const [delivery] = deliveries.items;
    expect(delivery).toMatchObject({ status: 'succeeded', webhook_id: received.headers['webhook-id'] });
    await expectStatus(
      await send(t, host, 'POST', `/webhook-endpoints/${endpoint.id}/deliveries/${delivery?.id}/retries`),
      202,
    );
    const again = (await receiver.waitFor(`/created-${host.organization_id}`, 3))[2];
    expect(again?.headers['webhook-id']).toBe(received.headers['webhook-id']);
    expect(again?.body).toBe(received.body);
  });

  it('sends every event type once, to the organization it concerns and no other', async () => {
    const { host, guest } = await connectedPair(t);
    const bystander = await t.newOrganization();
    const [hostPath, guestPath, otherPath] = ['host', 'guest', 'other'].map(
      (who) => `/all-${who}-${host.organization_id}`,
    );
    await register(host, hostPath ?? '');
    await register(guest, guestPath ?? '');
    await register(bystander, otherPath ?? '');
    // Registered after the pair connected: a new connection of this guest to a second host.
    const second = await t.newOrganization();
    await register(second, `/all-second-${host.organization_id}`);
    // Without a token: the system finds the invitation by the guest's e-mail.
    const { email } = await t.store.db
      .selectFrom('organizations')
      .select('email')
      .where('id', '=', guest.organization_id)
      .executeTakeFirstOrThrow();
    await expectStatus(
      await send(t, second, 'POST', '/guest-invitations', { email, expired_at: '2099-01-01T00:00:00Z' }),
      201,
    );
    await expectStatus(
      await send(t, guest, 'POST', '/host-connections', { host_organization_id: second.organization_id }),
      201,
    );
    const action = await expectStatus<{ id: string }>(
      await send(t, host, 'POST', `/guest-connections/${guest.organization_id}/actions`, {
        action_type: 'analytics_request',
      }),
      201,
    );
    await expectStatus(
      await send(t, guest, 'POST', `/host-connections/${host.organization_id}/actions/${action.id}/resolution`),
      200,
    );
    await expectStatus(
      await send(t, guest, 'PATCH', `/host-connections/${host.organization_id}`, { status: 'disconnected' }),
      200,
    );
    const toHost = await receiver.waitFor(hostPath ?? '', 2);
    const toSecond = await receiver.waitFor(`/all-second-${host.organization_id}`, 2);
    const toGuest = await receiver.waitFor(guestPath ?? '', 1);
    // Anything sent twice, or to the wrong organization, would have arrived by now.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const types = (entries: { body: string }[]) =>
      entries.map((entry) => (JSON.parse(entry.body) as WebhookEvent).type).sort();
    expect(types(receiver.received.filter((e) => e.path === hostPath))).toEqual([
      'connection_action.resolved',
      'guest_connection.status_changed',
    ]);
    expect(types(toSecond)).toEqual(['guest_connection.created', 'guest_invitation.accepted']);
    expect(types(toGuest)).toEqual(['connection_action.created']);
    expect(receiver.received.filter((e) => e.path === otherPath)).toEqual([]);
    const accepted = toSecond
      .map((e) => JSON.parse(e.body) as WebhookEvent)
      .find((e) => e.type === 'guest_invitation.accepted');
    expect(accepted?.data).toMatchObject({
      host_organization_id: second.organization_id,
      status: 'accepted_by_system',
    });
    expect(toHost).toHaveLength(2);
  });

  it("sends on time to one endpoint while another's receiver holds its attempt open", async () => {
    const { host, guest } = await connectedPair(t);
    const [slow, fast] = [`/slow-${host.organization_id}`, `/fast-${guest.organization_id}`];
    await register(host, slow, ['connection_action.resolved']);
    await register(guest, fast, ['connection_action.created']);
    receiver.answer = (received) => (received.path === slow ? 'hang' : { status: 200 });
    const first = await expectStatus<{ id: string }>(
      await send(t, host, 'POST', `/guest-connections/${guest.organization_id}/actions`, {
        action_type: 'analytics_request',
      }),
      201,
    );
    await expectStatus(
      await send(t, guest, 'POST', `/host-connections/${host.organization_id}/actions/${first.id}/resolution`),
      200,
    );
    await receiver.waitFor(slow, 1);
    await send(t, host, 'POST', `/guest-connections/${guest.organization_id}/actions`, {
      action_type: 'documents_update_request',
    });
    // Within the receiver's 5 s wait: long before the held attempt's 15 s timeout frees it.
    const toGuest = await receiver.waitFor(fast, 2);
    expect(toGuest).toHaveLength(2);
    receiver.answer = () => ({ status: 200 });
  });

  it('sends nothing for a change that rolled back', async () => {
    const host = await t.newOrganization();
    const endpoint = await register(host, `/rolled-back-${host.organization_id}`);
    const failed = t.store.db.transaction().execute(async (trx) => {
      await enqueueEvent(trx, {
        organizationId: host.organization_id,
        type: 'connection_action.resolved',
        data: objectData({}),
        now: new Date(),
      });
      throw new Error('the change fails after its event was written');
    });
    await expect(failed).rejects.toThrow('the change fails');
    const events = await t.store.db
      .selectFrom('webhook_events')
      .select('id')
      .where('organization_id', '=', host.organization_id)
      .execute();
    expect(events).toEqual([]);
    // Other files' deliveries on the shared store may be due meanwhile: only this host's count.
    await dispatcher.runOnce();
    const deliveries = await t.store.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('endpoint_id', '=', endpoint.id)
      .execute();
    expect(deliveries).toEqual([]);
    expect(receiver.received.filter((e) => e.path === `/rolled-back-${host.organization_id}`)).toEqual([]);
  });
});
