// Browsers on other origins may call the API only when CORS_ORIGINS names them.
import { describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { openTestStore } from '../support/database.js';
import { TEST_JWT_SECRET } from '../support/app.js';

const store = await openTestStore('pglite');
const quiet = (): void => {};
const preflight = {
  method: 'OPTIONS',
  headers: {
    Origin: 'https://app.example.com',
    'Access-Control-Request-Method': 'POST',
    'Access-Control-Request-Headers':
      'authorization, requester-organization-id, target-organization-id, idempotency-key, content-type',
  },
};

describe('CORS', () => {
  it('answers a preflight from a configured origin and exposes the contract headers', async () => {
    const app = createApp({ store, jwtSecret: TEST_JWT_SECRET, log: quiet, corsOrigins: ['https://app.example.com'] });
    const response = await app.request('/v1/host-connections', preflight);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('idempotency-key');
    const real = await app.request('/healthz', { headers: { Origin: 'https://app.example.com' } });
    expect(real.headers.get('access-control-expose-headers')).toContain('Idempotency-Replayed');
  });

  it('grants nothing to an origin that is not configured, nor to any when none is', async () => {
    const configured = createApp({
      store,
      jwtSecret: TEST_JWT_SECRET,
      log: quiet,
      corsOrigins: ['https://other.example.com'],
    });
    const denied = await configured.request('/v1/host-connections', preflight);
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    const closed = createApp({ store, jwtSecret: TEST_JWT_SECRET, log: quiet });
    const none = await closed.request('/v1/host-connections', preflight);
    expect(none.status).toBe(405);
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('reads CORS_ORIGINS as a comma-separated list', async () => {
    const config = await loadConfig({
      JWT_SECRET: TEST_JWT_SECRET,
      CORS_ORIGINS: ' https://a.example, https://b.example ,',
    });
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
  });
});
