// With validateResponses on, a handler answering off-contract turns into a 500 naming the violation.
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import type { OperationHandlers } from '../../server/http/operation-types.js';
import type { Store } from '../../server/store/database.js';
import { TEST_JWT_SECRET } from '../support/app.js';
import { engines, openTestStore } from '../support/database.js';

// Deliberately off-contract; the types would refuse it, which is the point of checking at runtime too.
const offContractHealth = (async () => ({ status: 200, body: { status: 'fine' } })) as unknown as OperationHandlers['getHealth'];
const undocumentedStatus = (async () => ({ status: 202, body: { status: 'ok' } })) as unknown as OperationHandlers['getHealth'];

describe.each(engines)('response checking on %s', (engine) => {
  let store: Store;

  beforeAll(async () => {
    store = await openTestStore(engine);
  });

  const appWith = (getHealth: OperationHandlers['getHealth'], validateResponses: boolean) =>
    createApp({ store, jwtSecret: TEST_JWT_SECRET, validateResponses, log: () => {}, handlers: { getHealth } });

  it('turns a body that breaks the schema into a 500 that names the violation', async () => {
    const response = await appWith(offContractHealth, true).request('/healthz');
    expect(response.status).toBe(500);
    const problem = (await response.json()) as { code: string; detail: string };
    expect(problem.code).toBe('internal_error');
    expect(problem.detail).toContain('getHealth');
    expect(problem.detail).toContain('/status must be equal to one of the allowed values');
  });

  it('turns a status the contract does not document into a 500', async () => {
    const response = await appWith(undocumentedStatus, true).request('/healthz');
    expect(response.status).toBe(500);
    expect(((await response.json()) as { detail: string }).detail).toContain('documents no 202');
  });

  it('lets the same answer through when checking is off', async () => {
    const response = await appWith(offContractHealth, false).request('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'fine' });
  });

  it('answers 503 service_unavailable when the database does not answer', async () => {
    const down: Store = { ...store, ping: async () => Promise.reject(new Error('connection refused')) };
    const response = await createApp({ store: down, jwtSecret: TEST_JWT_SECRET, validateResponses: true, log: () => {} }).request('/readyz');
    expect(response.status).toBe(503);
    expect(((await response.json()) as { code: string }).code).toBe('service_unavailable');
  });
});
