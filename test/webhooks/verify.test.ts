// verifyWebhook, as a receiver calls it: the event comes back typed, or it throws for a bad
// signature, a timestamp more than 5 minutes off, an unknown type or a body the contract refuses.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { verifyWebhook, WebhookRejected } from '../../client/webhooks/index.js';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const other = `whsec_${randomBytes(32).toString('base64')}`;
const action = {
  id: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b',
  host_organization_id: '3c90c3cc-0d44-4b50-8888-8dd25736052a',
  guest_organization_id: '9b2e7c4d-1f3a-4e5b-8c6d-7e8f9a0b1c2d',
  action_type: 'analytics_request',
  status: 'active',
  created_at: '2023-11-07T05:31:56.000Z',
  updated_at: '2023-11-07T05:31:56.000Z',
};

function signed(event: unknown, options: { key?: string; at?: Date } = {}) {
  const body = JSON.stringify(event);
  const at = options.at ?? new Date();
  const headers = {
    'webhook-id': 'evt_1',
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(options.key ?? secret).sign('evt_1', at, body),
  };
  return { body, headers };
}

const created = { type: 'connection_action.created', timestamp: '2023-11-07T05:31:56.000Z', data: action };

describe('verifyWebhook', () => {
  it('returns the typed event, with one secret or the right one among several', () => {
    const { body, headers } = signed(created);
    const event = verifyWebhook(body, new Headers(headers), secret);
    expect(event.type === 'connection_action.created' && event.data.action_type).toBe('analytics_request');
    expect(verifyWebhook(body, headers, [other, secret])).toEqual(created);
  });

  it.each([
    ['another secret', () => ({ ...signed(created, { key: other }), expected: /signature/i })],
    [
      'a timestamp 6 minutes old',
      () => ({ ...signed(created, { at: new Date(Date.now() - 360_000) }), expected: /timestamp/i }),
    ],
    [
      'a timestamp 6 minutes ahead',
      () => ({ ...signed(created, { at: new Date(Date.now() + 360_000) }), expected: /timestamp/i }),
    ],
    ['an unknown type', () => ({ ...signed({ ...created, type: 'guest.deleted' }), expected: /unknown event type/ })],
    [
      'a body the contract refuses',
      () => ({ ...signed({ ...created, data: { ...action, status: 'gone' } }), expected: /not a valid/ }),
    ],
    ['a body that is not JSON', () => ({ ...signed(created), body: '{', expected: /signature/i })],
  ])('throws WebhookRejected for %s', (_, make) => {
    const { body, headers, expected } = make();
    expect(() => verifyWebhook(body, headers, secret)).toThrow(WebhookRejected);
    expect(() => verifyWebhook(body, headers, secret)).toThrow(expected);
  });

  it("accepts every event of the contract's examples", () => {
    const document = JSON.parse(readFileSync('generated/openapi.json', 'utf8')) as {
      components: { examples: Record<string, { value: unknown }> };
    };
    const examples = document.components.examples;
    const names = Object.keys(examples).filter((name) => name.endsWith('Event'));
    expect(names).toHaveLength(5);
    for (const name of names) {
      const example = examples[name];
      const { body, headers } = signed(example?.value);
      expect(verifyWebhook(body, headers, secret)).toEqual(example?.value);
    }
  });
});
