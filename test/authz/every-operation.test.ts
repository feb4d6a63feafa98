// Walks every secured operation of the contract, so an operation added later is covered as
// soon as it exists: no token is 401, a stranger is 403, a scenario not listed is 403.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadContract, type ContractOperation, type Scenario } from '../../server/contract/document.js';
import type { Problem } from '../../server/domain/problems.js';
import { createTestApp, type TestApp, type TestOrganization } from '../support/app.js';
import { engines } from '../support/database.js';

const secured = loadContract().operations.filter((op) => op.secured);

/** Path parameters are all ids in this contract; a random uuid passes their validation. */
function urlOf(op: ContractOperation): string {
  return op.basePath + op.path.replace(/\{[^}]+\}/g, () => randomUUID());
}

describe.each(engines)('every secured operation on %s', (engine) => {
  let t: TestApp;
  let host: TestOrganization;
  let guest: TestOrganization;
  let stranger: TestOrganization;

  beforeAll(async () => {
    t = await createTestApp(engine);
    [host, guest, stranger] = await Promise.all([t.newOrganization(), t.newOrganization(), t.newOrganization()]);
    await t.store.db
      .insertInto('connections')
      .values({ host_organization_id: host.organization_id, guest_organization_id: guest.organization_id, status: 'connected' })
      .execute();
  });

  const call = (op: ContractOperation, headers: Record<string, string>) =>
    t.request(urlOf(op), { method: op.method.toUpperCase(), headers });

  it('covers the operations of the contract, each requiring both organization headers', () => {
    expect(secured.length).toBeGreaterThan(10);
    for (const op of secured) {
      const required = op.parameters.filter((p) => p.in === 'header' && p.required).map((p) => p.name);
      expect(required, op.operationId).toEqual(expect.arrayContaining(['Requester-Organization-ID', 'Target-Organization-ID']));
    }
  });

  it.each(secured.map((op) => [op.operationId, op] as const))('%s: 401 without a token', async (_, op) => {
    const { Authorization: _token, ...headers } = host.headers();
    const response = await call(op, headers);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(((await response.json()) as Problem).code).toBe('invalid_token');
  });

  it.each(secured.map((op) => [op.operationId, op] as const))('%s: 403 for a stranger organization', async (_, op) => {
    const response = await call(op, host.headers(stranger.organization_id));
    expect(response.status).toBe(403);
    expect(((await response.json()) as Problem).code).toBe('not_connected');
  });

  const others: [Scenario, () => Record<string, string>][] = [
    ['host', () => host.headers(guest.organization_id)],
    ['guest', () => guest.headers(host.organization_id)],
  ];
  const refused = secured.flatMap((op) =>
    others.filter(([scenario]) => !op.scenarios.includes(scenario)).map(([scenario, headers]) => [op.operationId, scenario, op, headers] as const),
  );

  it.each(refused)('%s: 403 scenario_not_allowed as %s', async (_, _scenario, op, headers) => {
    const response = await call(op, headers());
    expect(response.status).toBe(403);
    expect(((await response.json()) as Problem).code).toBe('scenario_not_allowed');
  });
});
