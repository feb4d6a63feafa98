// No server-side request forgery: every address class that is not public is refused, in every
// notation, at registration (422 naming `url`) and at connection time (the address actually
// connected to), unless WEBHOOK_ALLOWED_NETWORKS lists its network.
import { beforeAll, describe, expect, it } from 'vitest';
import { blockListOf, refusalOf } from '../../server/domain/webhook-addresses.js';
import { checkWebhookUrl, publicOnly } from '../../server/domain/webhook-urls.js';
import { httpSender } from '../../server/webhooks/http-sender.js';
import { testAppOn, type TestApp, type TestOrganization } from '../support/app.js';
import { openTestStore } from '../support/database.js';
import { expectProblem, expectStatus, send } from '../domain/flows.js';

// [the URL's host, the class it is refused as]
const REFUSED: [string, string][] = [
  ['127.0.0.1', 'loopback'],
  ['2130706433', 'loopback'], // decimal
  ['0x7f.0.0.1', 'loopback'], // hex
  ['127.1', 'loopback'], // short
  ['0177.0.0.1', 'loopback'], // octal
  ['[::1]', 'loopback'],
  ['[::ffff:127.0.0.1]', 'loopback'], // IPv4-mapped
  ['[::ffff:7f00:1]', 'loopback'],
  ['10.1.2.3', 'private'],
  ['172.16.0.1', 'private'],
  ['192.168.1.1', 'private'],
  ['[::ffff:192.168.1.1]', 'private'],
  ['169.254.169.254', 'link-local'], // cloud metadata
  ['[fe80::1]', 'link-local'],
  ['[fd00::1]', 'unique-local'],
  ['100.64.0.1', 'carrier-grade NAT'],
  ['224.0.0.1', 'multicast'],
  ['[ff02::1]', 'multicast'],
  ['0.0.0.0', 'unspecified'],
  ['[::]', 'unspecified'],
  ['192.0.2.1', 'documentation'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['[2001:db8::1]', 'documentation'],
];

const none = blockListOf([]);
// A name that resolves to loopback (after registration, say).
const toLoopback = { allowedNetworks: none, resolve: async () => ['127.0.0.1'] };

describe('webhook URL addresses', () => {
  let t: TestApp;
  let org: TestOrganization;

  beforeAll(async () => {
    t = testAppOn(await openTestStore('pglite'), { webhookPolicy: toLoopback });
    org = await t.newOrganization();
  });

  const register = (url: string) =>
    send(t, org, 'POST', '/webhook-endpoints', { url, event_types: ['guest_connection.created'] });

  it.each(REFUSED)('refuses %s (%s) at registration, naming url', async (host, kind) => {
    const problem = await expectProblem(await register(`https://${host}/hook`), 422, 'validation_failed');
    expect(problem.errors).toEqual([
      { location: 'body', pointer: '/url', message: expect.stringContaining(`a ${kind} address`) },
    ]);
  });

  it('refuses a name that resolves to loopback, credentials in the URL and plain http', async () => {
    const byName = await expectProblem(await register('https://hooks.example.test/x'), 422, 'validation_failed');
    expect(byName.errors[0]?.message).toContain('hooks.example.test (127.0.0.1) is a loopback address');
    const credentials = await expectProblem(
      await register('https://user:pw@93.184.215.14/x'),
      422,
      'validation_failed',
    );
    expect(credentials.errors[0]?.message).toContain('user name or password');
    const http = await expectProblem(await register('http://93.184.215.14/x'), 422, 'validation_failed');
    expect(http.errors[0]).toMatchObject({ pointer: '/url', message: 'must be an https URL' });
    await expectStatus(await register('https://93.184.215.14/x'), 201);
  });

  it('resolves a name through DNS at registration: localhost is loopback', async () => {
    const refused = checkWebhookUrl('https://localhost/x', publicOnly);
    await expect(refused).rejects.toMatchObject({ errors: [{ pointer: '/url' }] });
    await expect(refused).rejects.toSatisfy((e: { errors: { message: string }[] }) =>
      /localhost \((127\.0\.0\.1|::1)\) is a loopback address/.test(e.errors[0]?.message ?? ''),
    );
  });

  it('allows listed networks, and plain http to them', () => {
    const allowed = blockListOf(['127.0.0.0/8', 'fd00::/8']);
    expect(refusalOf('127.0.0.1', allowed)).toBeUndefined();
    expect(refusalOf('::ffff:127.0.0.1', allowed)).toBeUndefined();
    expect(refusalOf('fd00::1', allowed)).toBeUndefined();
    expect(refusalOf('10.0.0.1', allowed)).toBe('private');
  });

  it.each(REFUSED)('refuses to connect to %s (%s)', async (host, kind) => {
    const sender = httpSender(none);
    await expect(sender({ url: `https://${host}/hook`, headers: {}, body: '{}' })).rejects.toThrow(`a ${kind} address`);
  });

  it('refuses at connection time a name whose address is loopback', async () => {
    // `localhost` resolves to 127.0.0.1 or ::1: the address actually connected to is checked.
    const sender = httpSender(none);
    await expect(sender({ url: 'https://localhost:9/hook', headers: {}, body: '{}' })).rejects.toThrow(
      /refused to connect to (127\.0\.0\.1|::1), a loopback address/,
    );
  });
});
