// With validateResponses on, a handler answering off-contract turns into a 500 naming the violation.
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import type { OperationHandlers } from '../../server/http/operation-types.js';
import type { Store } from '../../server/store/database.js';
import { TEST_JWT_SECRET } from '../support/app.js';
import { engines, openTestStore } from '../support/database.js';

// Deliberately off-contract; the types would refuse it, which is the point of checking at runtime too.
const offContractHealth = (async () => ({
  status: 200,
  body: { status: 'fine' },
})) as unknown as OperationHandlers['getHealth'];
const undocumentedStatus = (async () => ({
  status: 202,
  body: { status: 'ok' },
})) as unknown as OperationHandlers['getHealth'];
const bodiless = (async () => ({ status: 200 })) as unknown as OperationHandlers['getHealth'];
const otherMediaType = (async () => ({
  status: 200,
  mediaType: 'text/plain',
  body: 'ok',
})) as unknown as OperationHandlers['getHealth'];
// The token endpoint's 200 declares `Cache-Control: no-store`, nothing else.
const offContractHeader = (async () => ({
  status: 200,
  body: { access_token: 'x', token_type: 'Bearer', expires_in: 60 },
  headers: { 'Cache-Control': 'max-age=60' },
})) as unknown as OperationHandlers['createToken'];

describe.each(engines)('response checking on %s', (engine) => {
  let store: Store;

  beforeAll(async () => {
    store = await openTestStore(engine);
  });

  const appWith = (getHealth: OperationHandlers['getHealth'], validateResponses: boolean) =>
    createApp({ store, jwtSecret: TEST_JWT_SECRET, validateResponses, log: () => {}, handlers: { getHealth } });
  const detailOf = async (response: Response) => ((await response.json()) as { detail: string }).detail;

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

  it('turns a missing body, or a media type the contract does not document, into a 500', async () => {
    const missing = await appWith(bodiless, true).request('/healthz');
    expect(missing.status).toBe(500);
    expect(await detailOf(missing)).toContain('the 200 response has no body; the contract documents application/json');
    const other = await appWith(otherMediaType, true).request('/healthz');
    expect(other.status).toBe(500);
    expect(await detailOf(other)).toContain('documents no 200 text/plain response');
  });

  it('checks response headers against the contract like bodies', async () => {
    const app = createApp({
      store,
      jwtSecret: TEST_JWT_SECRET,
      validateResponses: true,
      log: () => {},
      handlers: { createToken: offContractHeader },
    });
    const response = await app.request('/v1/oauth2/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_id: 'cli_x', client_secret: 'secret' }),
    });
    expect(response.status).toBe(500);
    expect(await detailOf(response)).toContain('header /cache-control must be equal to constant');
  });

  it('sends a response without a body with no body and no content-type', async () => {
    const response = await appWith(bodiless, false).request('/healthz');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBeNull();
    expect(await response.text()).toBe('');
  });

  it('sends a body of another media type as it is', async () => {
    const response = await appWith(otherMediaType, false).request('/healthz');
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await response.text()).toBe('ok');
  });

  it('lets the same answer through when checking is off', async () => {
    const response = await appWith(offContractHealth, false).request('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'fine' });
  });

  it('answers 503 service_unavailable when the database does not answer', async () => {
    const down: Store = { ...store, ping: async () => Promise.reject(new Error('connection refused')) };
    const response = await createApp({
      store: down,
      jwtSecret: TEST_JWT_SECRET,
      validateResponses: true,
      log: () => {},
    }).request('/readyz');
    expect(response.status).toBe(503);
    expect(((await response.json()) as { code: string }).code).toBe('service_unavailable');
  });
});
