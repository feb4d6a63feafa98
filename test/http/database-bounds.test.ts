// Inputs the contract's types allow but PostgreSQL refuses (a NUL in text, an integer past
// bigint, a leap second `new Date` cannot hold) are refused by the contract itself: a 422
// naming the input, never a 500 from the database. The lists are read from the contract, so
// a new list operation is covered without editing this file.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadContract, type ContractOperation } from '../../server/contract/document.js';
import type { Problem } from '../../server/http/problem.js';
import { createTestApp, type TestApp, type TestOrganization } from '../support/app.js';
import { engines } from '../support/database.js';

const json = { 'Content-Type': 'application/json' };
const form = { 'Content-Type': 'application/x-www-form-urlencoded' };

const operations = loadContract().operations;
const hasQuery = (operation: ContractOperation, name: string) =>
  operation.parameters.some((p) => p.in === 'query' && p.name === name);
const lists = operations.filter((operation) => hasQuery(operation, 'offset'));
const searches = operations.filter((operation) => hasQuery(operation, 'search_text'));

async function expectInvalid(response: Response, location: string, pointer: string): Promise<void> {
  const text = await response.text();
  expect(response.status, text).toBe(422);
  const problem = JSON.parse(text) as Problem;
  expect(problem.code).toBe('validation_failed');
  expect(problem.errors).toContainEqual(expect.objectContaining({ location, pointer }));
}

it('the contract has lists with offset and search_text to check', () => {
  expect(lists.length).toBeGreaterThanOrEqual(5);
  expect(searches.length).toBeGreaterThanOrEqual(3);
});

describe.each(engines)('inputs the database cannot hold, on %s', (engine) => {
  let t: TestApp;
  let org: TestOrganization;

  beforeAll(async () => {
    t = await createTestApp(engine);
    org = await t.newOrganization();
  });

  /** A valid GET of a list (path ids are the caller's own, `statuses` where required) plus `extra`. */
  const list = (operation: ContractOperation, extra: string) => {
    const path = operation.path.replace(/\{[^}]+\}/g, org.organization_id);
    const required = operation.parameters.some((p) => p.in === 'query' && p.name === 'statuses' && p.required)
      ? 'statuses=connected&'
      : '';
    return t.request(`${operation.basePath}${path}?${required}${extra}`, { headers: org.headers() });
  };

  describe.each(lists.map((operation) => [operation.operationId, operation] as const))('%s', (_, operation) => {
    it('refuses an offset past what PostgreSQL and JSON numbers hold', async () => {
      for (const offset of ['9223372036854775808', '9223372036854775807', '1e20', '9007199254740992']) {
        await expectInvalid(await list(operation, `offset=${offset}`), 'query', 'offset');
      }
    });

    // Found by the fuzzer: Ajv coerced `1e400` to Infinity, skipped `maximum`, and the database failed (500).
    it('refuses a limit or an offset that JavaScript reads as a number but JSON does not', async () => {
      for (const name of ['limit', 'offset']) {
        for (const text of ['Infinity', '-Infinity', '1e400', '-1e400', 'NaN', '0x10', '%205']) {
          await expectInvalid(await list(operation, `${name}=${text}`), 'query', name);
        }
      }
    });

    it('answers the largest allowed offset', async () => {
      const response = await list(operation, 'offset=9007199254740991');
      // A list of actions needs a connection; without one it is a 404, but never a 422 or 500.
      expect([200, 404], await response.text()).toContain(response.status);
    });
  });

  describe.each(searches.map((operation) => [operation.operationId, operation] as const))('%s', (_, operation) => {
    it('refuses a NUL or another control character in search_text', async () => {
      for (const text of ['a%00b', '%00', 'a%0Ab', '%7F']) {
        await expectInvalid(await list(operation, `search_text=${text}`), 'query', 'search_text');
      }
    });

    it('searches any other text, including non-ASCII', async () => {
      const response = await list(operation, `search_text=${encodeURIComponent('Ünïcödé 🏦 %_\\')}`);
      expect(response.status, await response.text()).toBe(200);
    });
  });

  it('refuses a NUL in client_id, as JSON and as a form, before looking the client up', async () => {
    const asJson = await t.request('/v1/oauth2/token', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ client_id: `${org.client_id}\u0000`, client_secret: org.client_secret }),
    });
    await expectInvalid(asJson, 'body', '/client_id');
    const asForm = await t.request('/v1/oauth2/token', {
      method: 'POST',
      headers: form,
      body: `grant_type=client_credentials&client_id=${org.client_id}%00&client_secret=${org.client_secret}`,
    });
    await expectInvalid(asForm, 'body', '/client_id');
  });

  it('refuses a NUL in invitation_token', async () => {
    const host = await t.newOrganization();
    const response = await t.request('/v1/host-connections', {
      method: 'POST',
      headers: { ...org.headers(), ...json },
      body: JSON.stringify({ host_organization_id: host.organization_id, invitation_token: 'abcdefghij\u0000' }),
    });
    await expectInvalid(response, 'body', '/invitation_token');
  });

  it('refuses a leap second in expired_at', async () => {
    const response = await t.request('/v1/guest-invitations', {
      method: 'POST',
      headers: { ...org.headers(), ...json },
      body: JSON.stringify({ email: 'leap@example.test', expired_at: '2030-06-30T23:59:60Z' }),
    });
    await expectInvalid(response, 'body', '/expired_at');
  });

  it('refuses a control character in Idempotency-Key', async () => {
    const host = await t.newOrganization();
    const response = await t.request('/v1/host-connections', {
      method: 'POST',
      headers: { ...org.headers(), ...json, 'Idempotency-Key': 'key\twith-a-tab' },
      body: JSON.stringify({ host_organization_id: host.organization_id }),
    });
    await expectInvalid(response, 'header', 'Idempotency-Key');
  });
});
