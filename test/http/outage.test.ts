// When the database goes away, answers stay within the contract: 503 service_unavailable with
// Retry-After, from the readiness probe and every operation alike, never a stack trace.
import { describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { createOrganization } from '../../server/domain/admin.js';
import type { Problem } from '../../server/http/problem.js';
import { openMemoryDatabase } from '../../server/store/database.js';
import { migrateToLatest } from '../../server/store/migrate.js';
import { TEST_JWT_SECRET } from '../support/app.js';

describe('a database outage', () => {
  it('answers /readyz and secured operations 503 service_unavailable, as the contract documents', async () => {
    const store = await openMemoryDatabase();
    await migrateToLatest(store.db);
    const app = createApp({ store, jwtSecret: TEST_JWT_SECRET, validateResponses: true, log: () => {} });
    const org = await createOrganization(store.db, {
      name: 'Outage',
      email: 'outage@example.test',
      owner_email: 'owner@example.test',
    });
    const tokenResponse = await app.request('/v1/oauth2/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_id: org.client_id, client_secret: org.client_secret }),
    });
    const { access_token } = (await tokenResponse.json()) as { access_token: string };
    await store.close();

    const readiness = await app.request('/readyz');
    expect(readiness.status).toBe(503);
    expect(((await readiness.json()) as Problem).code).toBe('service_unavailable');

    const response = await app.request(`/v1/organizations/${org.organization_id}`, {
      headers: {
        Authorization: `Bearer ${access_token}`,
        'Requester-Organization-ID': org.organization_id,
        'Target-Organization-ID': org.organization_id,
      },
    });
    // With validateResponses on, an answer that broke the contract would be a 500 naming the violation.
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    const problem = (await response.json()) as Problem;
    expect(problem).toEqual({
      type: 'https://connections.example.com/problems/service_unavailable',
      title: 'Service unavailable',
      status: 503,
      detail: 'The database is unavailable; retry later.',
      code: 'service_unavailable',
      errors: [],
    });
  });
});
