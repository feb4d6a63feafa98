// The real app on a test database, with response checking on, and organizations that can call it.
import { randomUUID } from 'node:crypto';
import { createApp, type App, type AppOptions } from '../../server/app.js';
import { createOrganization, type OrganizationInput } from '../../server/domain/admin.js';
import type { Store } from '../../server/store/database.js';
import { openTestStore, type Engine } from './database.js';

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123456789';

export interface TestOrganization {
  organization_id: string;
  client_id: string;
  client_secret: string;
  token: string;
  /** Authorization and both organization headers; the target defaults to the organization itself. */
  headers(target?: string): Record<string, string>;
}

export interface TestApp {
  app: App;
  store: Store;
  request(path: string, init?: RequestInit): Promise<Response>;
  newOrganization(overrides?: Partial<OrganizationInput>): Promise<TestOrganization>;
}

/** Request lines are dropped; errors (with their stack) go to stderr, so a failing test shows why. */
function logErrors(line: Record<string, unknown>): void {
  if (line.level === 'error') console.error(JSON.stringify(line));
}

/** No rate limits unless a test passes its own (`createRateLimits`). */
export async function createTestApp(
  engine: Engine,
  options: Pick<AppOptions, 'rateLimits' | 'webhookPolicy'> = {},
): Promise<TestApp> {
  return testAppOn(await openTestStore(engine), options);
}

/** The same on a store of the caller's own, e.g. a scratch database (test/support/scratch-database.ts). */
export function testAppOn(store: Store, options: Pick<AppOptions, 'rateLimits' | 'webhookPolicy'> = {}): TestApp {
  const app = createApp({ store, jwtSecret: TEST_JWT_SECRET, validateResponses: true, log: logErrors, ...options });
  const request = async (path: string, init?: RequestInit): Promise<Response> => app.request(path, init);

  async function newOrganization(overrides: Partial<OrganizationInput> = {}): Promise<TestOrganization> {
    const tag = randomUUID().slice(0, 8);
    const credentials = await createOrganization(store.db, {
      name: `Organization ${tag}`,
      email: `org-${tag}@example.test`,
      owner_email: `owner-${tag}@example.test`,
      ...overrides,
    });
    const response = await request('/v1/oauth2/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_id: credentials.client_id, client_secret: credentials.client_secret }),
    });
    if (response.status !== 200) throw new Error(`createToken answered ${response.status}: ${await response.text()}`);
    const { access_token: token } = (await response.json()) as { access_token: string };
    return {
      ...credentials,
      token,
      headers: (target = credentials.organization_id) => ({
        Authorization: `Bearer ${token}`,
        'Requester-Organization-ID': credentials.organization_id,
        'Target-Organization-ID': target,
      }),
    };
  }

  return { app, store, request, newOrganization };
}
