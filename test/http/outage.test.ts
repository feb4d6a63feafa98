// When the database goes away, answers stay within the contract: 503 from the readiness probe,
// the documented 500 internal_error elsewhere, never a stack trace.
import { describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { createOrganization } from '../../server/domain/admin.js';
import type { Problem } from '../../server/domain/problems.js';
import { openMemoryDatabase } from '../../server/store/database.js';
import { migrateToLatest } from '../../server/store/migrate.js';
import { TEST_JWT_SECRET } from '../support/app.js';

describe('a database outage', () => {
  it('answers /readyz 503 and secured operations 500 internal_error, both as the contract documents', async () => {
    const store = await openMemoryDatabase();
    await migrateToLatest(store.db);
    const app = createApp({ store, jwtSecret: TEST_JWT_SECRET, validateResponses: true, log: () => {} });
    const org = await createOrganization(store.db, { name: 'Outage', email: 'outage@example.test', owner_email: 'owner@example.test' });
    const tokenResponse = await app.request('/v1/oauth2/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_id: org.client_id, client_secret: org.client_secret }),
    });
    const { access_token } = (await tokenResponse.json()) as { access_token: string };
    await store.close();

    const readiness = await app.request('/readyz');
    expect(readiness.status).toBe(503);
    expect(((await readiness.json()) as Problem).code).toBe('database_unavailable');

    const response = await app.request(`/v1/organizations/${org.organization_id}`, {
      headers: {
        Authorization: `Bearer ${access_token}`,
        'Requester-Organization-ID': org.organization_id,
        'Target-Organization-ID': org.organization_id,
      },
    });
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await response.json()) as Problem;
    // With validateResponses on, a 500 that broke the contract would name the violation instead.
    expect(problem).toEqual({
      type: 'https://connections.example.com/problems/internal_error',
      title: 'Internal error',
      status: 500,
      detail: 'The server could not complete the request.',
      code: 'internal_error',
      errors: [],
    });
  });
});
