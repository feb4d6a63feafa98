// The webhook endpoints API: the secret shown once, the limit, another organization's endpoint
// answering 404 like a missing one, changes, deletion, and a rotated secret's grace.
import { Webhook } from 'standardwebhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import type { components } from '../../generated/openapi.js';
import { createDispatcher } from '../../server/webhooks/dispatcher.js';
import type { Outgoing } from '../../server/webhooks/http-sender.js';
import { enqueueEvent, objectData } from '../../server/store/webhook-outbox.js';
import { testAppOn, type TestApp, type TestOrganization } from '../support/app.js';
import { openTestStore } from '../support/database.js';
import { expectProblem, expectStatus, MISSING_ID, send } from '../domain/flows.js';
import { loopbackPolicy } from './receiver.js';

type Endpoint = components['schemas']['WebhookEndpoint'];
type Delivery = components['schemas']['WebhookDelivery'];

describe('webhook endpoints on pglite', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = testAppOn(await openTestStore('pglite'), { webhookPolicy: loopbackPolicy });
  });

  function create(organization: TestOrganization, url = 'https://hooks.example.test/in'): Promise<Response> {
    return send(t, organization, 'POST', '/webhook-endpoints', { url, event_types: ['guest_connection.created'] });
  }

  it('shows the secret only when it is made, and lists, changes and deletes endpoints', async () => {
    const org = await t.newOrganization();
    const created = await expectStatus<Endpoint>(await create(org), 201);
    expect(created).toMatchObject({ enabled: true, disabled_reason: null, description: null });
    expect(created.secret).toMatch(/^whsec_/);
    expect(Buffer.from((created.secret ?? '').slice(6), 'base64')).toHaveLength(32);
    const read = await expectStatus<Endpoint>(await send(t, org, 'GET', `/webhook-endpoints/${created.id}`), 200);
    expect(read).toEqual({ ...created, secret: null });
    const changed = await expectStatus<Endpoint>(
      await send(t, org, 'PATCH', `/webhook-endpoints/${created.id}`, { enabled: false, description: 'paused' }),
      200,
    );
    expect(changed).toMatchObject({ enabled: false, description: 'paused', secret: null });
    const list = await expectStatus<{ items: Endpoint[]; total_items: number }>(
      await send(t, org, 'GET', '/webhook-endpoints?limit=1'),
      200,
    );
    expect(list).toEqual({ items: [changed], total_items: 1 });
    expect((await send(t, org, 'DELETE', `/webhook-endpoints/${created.id}`)).status).toBe(204);
    await expectProblem(
      await send(t, org, 'GET', `/webhook-endpoints/${created.id}`),
      404,
      'webhook_endpoint_not_found',
    );
  });

  it("answers 404 for another organization's endpoint exactly as for a missing one, and changes nothing", async () => {
    const owner = await t.newOrganization();
    const other = await t.newOrganization();
    const { id } = await expectStatus<Endpoint>(await create(owner), 201);
    for (const target of [id, MISSING_ID]) {
      await expectProblem(
        await send(t, other, 'GET', `/webhook-endpoints/${target}`),
        404,
        'webhook_endpoint_not_found',
      );
      await expectProblem(
        await send(t, other, 'PATCH', `/webhook-endpoints/${target}`, { enabled: false }),
        404,
        'webhook_endpoint_not_found',
      );
      await expectProblem(
        await send(t, other, 'DELETE', `/webhook-endpoints/${target}`),
        404,
        'webhook_endpoint_not_found',
      );
      await expectProblem(
        await send(t, other, 'POST', `/webhook-endpoints/${target}/secret-rotations`, {}),
        404,
        'webhook_endpoint_not_found',
      );
      await expectProblem(
        await send(t, other, 'GET', `/webhook-endpoints/${target}/deliveries`),
        404,
        'webhook_endpoint_not_found',
      );
      await expectProblem(
        await send(t, other, 'POST', `/webhook-endpoints/${target}/deliveries/${MISSING_ID}/retries`),
        404,
        'webhook_delivery_not_found',
      );
    }
    const list = await expectStatus<{ total_items: number }>(await send(t, other, 'GET', '/webhook-endpoints'), 200);
    expect(list.total_items).toBe(0);
    const kept = await expectStatus<Endpoint>(await send(t, owner, 'GET', `/webhook-endpoints/${id}`), 200);
    expect(kept.enabled).toBe(true);
  });

  it('refuses a 17th endpoint', async () => {
    const org = await t.newOrganization();
    for (let i = 0; i < 16; i++) await expectStatus(await create(org, `https://hooks.example.test/${i}`), 201);
    await expectProblem(await create(org), 422, 'webhook_endpoint_limit_reached');
  });

  it('signs with both secrets during the grace period of a rotation, then with the new one alone', async () => {
    const org = await t.newOrganization();
    const { id, secret: first } = await expectStatus<Endpoint>(await create(org), 201);
    const rotated = await expectStatus<Endpoint>(
      await send(t, org, 'POST', `/webhook-endpoints/${id}/secret-rotations`, { grace_period_seconds: 3600 }),
      201,
    );
    expect(rotated.secret).not.toBe(first);
    const graceEnd = Date.parse(rotated.previous_secret_expires_at ?? '');
    expect(graceEnd - Date.now()).toBeGreaterThan(3590_000);

    const sent: Outgoing[] = [];
    // A fake clock, so the grace can end without waiting for it.
    let now = new Date();
    const dispatcher = createDispatcher({
      db: t.store.db,
      clock: () => now,
      // The store is shared: a round must reach this test's delivery whatever else is due.
      batchSize: 1000,
      send: async (outgoing) => {
        if (outgoing.url.startsWith('https://hooks.example.test/') && outgoing.headers['webhook-id'])
          sent.push(outgoing);
        return { status: 500, body: '', retryAfter: undefined };
      },
    });
    await t.store.db.transaction().execute((trx) =>
      enqueueEvent(trx, {
        organizationId: org.organization_id,
        type: 'guest_connection.created',
        data: objectData({}),
        now,
      }),
    );
    await dispatcher.runOnce();
    now = new Date(graceEnd + 1000);
    await dispatcher.runOnce();
    const [during, after] = sent.filter((outgoing) => outgoing.url === 'https://hooks.example.test/in');
    if (during === undefined || after === undefined) throw new Error(`expected two attempts, got ${sent.length}`);
    expect(during.headers['webhook-signature']?.split(' ')).toHaveLength(2);
    const verifies = (secret: string | null, outgoing: Outgoing) => {
      try {
        // The attempts were signed at the fake clock's time: check the signature, not the age.
        const signedAt = new Date(Number(outgoing.headers['webhook-timestamp']) * 1000);
        const expected = new Webhook(secret ?? '').sign(outgoing.headers['webhook-id'] ?? '', signedAt, outgoing.body);
        return (outgoing.headers['webhook-signature'] ?? '').split(' ').includes(expected);
      } catch {
        return false;
      }
    };
    expect([verifies(first, during), verifies(rotated.secret, during)]).toEqual([true, true]);
    expect([verifies(first, after), verifies(rotated.secret, after)]).toEqual([false, true]);
    expect(after.headers['webhook-id']).toBe(during.headers['webhook-id']);
    const deliveries = await expectStatus<{ items: Delivery[] }>(
      await send(t, org, 'GET', `/webhook-endpoints/${id}/deliveries?status=pending`),
      200,
    );
    expect(deliveries.items[0]?.attempts.map((attempt) => attempt.status_code)).toEqual([500, 500]);
  });
});
