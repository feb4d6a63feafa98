// Rate limits in one process (in memory): a budget per organization on every secured operation,
// failed token requests per client_id, both answered with the contract's 429 and its headers;
// one organization's flood is not felt by another; 0 turns each limit off.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRateLimits } from '../../server/config.js';
import { contractDocument, loadContract } from '../../server/contract/document.js';
import type { Problem } from '../../server/http/problem.js';
import { createRateLimits, noRateLimits, type RateLimitsOptions } from '../../server/http/rate-limits.js';
import { operationCost, requestCost } from '../../server/http/request-cost.js';
import { contract } from '../../generated/operations.js';
import { createTestApp, type TestApp, type TestOrganization } from '../support/app.js';
import { validateResponse } from '../support/contract.js';

const options = (overrides: Partial<RateLimitsOptions>): RateLimitsOptions => ({
  perSecond: 0,
  burst: 0,
  tokenFailuresPerMinute: 0,
  redisKeyPrefix: 'unused',
  log: () => {},
  ...overrides,
});

it('every secured operation and POST /oauth2/token document the shared 429', () => {
  const document = contractDocument();
  const paths = document.paths as Record<string, Record<string, { responses: Record<string, { $ref?: string }> }>>;
  const limited = loadContract().operations.filter((o) => o.secured || o.operationId === 'createToken');
  expect(limited.length).toBeGreaterThan(10);
  for (const operation of limited) {
    expect(paths[operation.path]?.[operation.method]?.responses['429'], operation.operationId).toEqual({
      $ref: '#/components/responses/TooManyRequests',
    });
  }
});

describe('the organization budget', () => {
  let t: TestApp;
  let flooder: TestOrganization;
  let bystander: TestOrganization;

  beforeAll(async () => {
    t = await createTestApp('pglite', { rateLimits: createRateLimits(options({ perSecond: 5, burst: 10 })) });
    [flooder, bystander] = await Promise.all([t.newOrganization(), t.newOrganization()]);
  });

  const getOwn = (org: TestOrganization) =>
    t.request(`/v1/organizations/${org.organization_id}`, { headers: org.headers() });

  it('lets a burst through, answers the rest 429 with the contract headers, and the other organization does not notice', async () => {
    // All at once, so they fall in one 1 s window however slow the machine is.
    const [flood, calm] = await Promise.all([
      Promise.all(Array.from({ length: 40 }, () => getOwn(flooder))),
      Promise.all(Array.from({ length: 8 }, () => getOwn(bystander))),
    ]);
    const statuses = flood.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(30);
    expect(calm.map((response) => response.status)).toEqual(Array(8).fill(200));

    const refused = flood.find((response) => response.status === 429);
    if (refused === undefined) throw new Error('no 429');
    expect((await validateResponse('getOrganization', refused)).problems).toEqual([]);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(((await refused.json()) as Problem).code).toBe('rate_limited');
    expect(refused.headers.get('ratelimit-policy')).toBe('"organization";q=5;w=1, "burst";q=5;w=2');
    expect(refused.headers.get('ratelimit')).toMatch(/^"organization";r=0;t=[12]$/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('is checked after authentication: a caller without a valid token gets 401, never 429', async () => {
    const response = await t.request(`/v1/organizations/${flooder.organization_id}`, {
      headers: { ...flooder.headers(), Authorization: 'Bearer not-a-token' },
    });
    expect(response.status).toBe(401);
  });
});

describe('what a request costs of the budget', () => {
  const PER_SECOND = 20;
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp('pglite', {
      rateLimits: createRateLimits(options({ perSecond: PER_SECOND, burst: PER_SECOND })),
    });
  });

  // Each shape from an organization of its own, so each has the whole budget.
  it.each([
    ['a plain page', {}],
    ['a short search', { search_text: 'abc' }],
    ['a long search of wildcards', { search_text: '%_'.repeat(40) }],
    ['a deep offset', { offset: '20000' }],
    ['a search past the end of any list', { search_text: 'a'.repeat(255), offset: '9007199254740991' }],
  ])('%s: a burst gets as many answers as its cost fits in the budget, the rest 429', async (_, shape) => {
    const query: Record<string, string> = { statuses: 'connected', ...shape };
    const cost = requestCost(Object.fromEntries(Object.entries(query).map(([name, value]) => [name, [value]])));
    const org = await t.newOrganization();
    const path = `/v1/host-connections?${new URLSearchParams(query)}`;
    const statuses = (
      await Promise.all(Array.from({ length: 12 }, () => t.request(path, { headers: org.headers() })))
    ).map((response) => response.status);
    // A request never costs more than a second's budget, so even the costliest passes once.
    const fits = Math.min(12, Math.floor(PER_SECOND / Math.min(cost, PER_SECOND)));
    expect(statuses.filter((status) => status === 200)).toHaveLength(fits);
    expect(statuses.filter((status) => status === 429)).toHaveLength(12 - fits);
  });

  it('reads the query only of an operation that takes a priced parameter', () => {
    const unread = () => {
      throw new Error('the query was read');
    };
    expect(operationCost('getHostConnection', unread)).toBe(contract.rateLimitCosts.request);
    expect(operationCost('listGuestConnections', () => ({ search_text: ['abc'] }))).toBe(
      requestCost({ search_text: ['abc'] }),
    );
  });

  it('costs more for a search and a deep offset, as the contract says', () => {
    const costs = contract.rateLimitCosts;
    expect(requestCost({})).toBe(costs.request);
    expect(requestCost({ search_text: ['abc'] })).toBe(costs.request + costs.searchText);
    expect(requestCost({ search_text: ['x'.repeat(costs.searchTextCharsPerToken * 3)] })).toBe(
      costs.request + costs.searchText + 3,
    );
    expect(requestCost({ offset: [String(costs.offsetRowsPerToken * 2)] })).toBe(costs.request + 2);
    expect(requestCost({ offset: ['9007199254740991'] })).toBe(costs.request + costs.offsetMaxTokens);
    // What the validation will refuse anyway costs a plain request's token.
    expect(requestCost({ offset: ['-5'], search_text: [''] })).toBe(costs.request);
    // The description states these numbers: it must state the ones in x-rate-limit-costs.
    const description = String((contractDocument().info as { description: string }).description).replace(/\s+/g, ' ');
    for (const phrase of [
      `it costs ${costs.searchText} tokens more, and 1 more per ${costs.searchTextCharsPerToken} of its characters`,
      `1 token more per ${costs.offsetRowsPerToken.toLocaleString('en-US')} rows skipped, at most ${costs.offsetMaxTokens} more`,
    ]) {
      expect(description).toContain(phrase);
    }
  });
});

describe('failed token requests per client_id', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp('pglite', { rateLimits: createRateLimits(options({ tokenFailuresPerMinute: 3 })) });
  });

  const requestToken = (client_id: string, client_secret: string) =>
    t.request('/v1/oauth2/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_id, client_secret }),
    });

  it('refuses a client_id past its failures, even with the right secret, and only that one', async () => {
    const [target, other] = await Promise.all([t.newOrganization(), t.newOrganization()]);
    for (let i = 0; i < 3; i++) expect((await requestToken(target.client_id, 'wrong-secret')).status).toBe(401);
    const refused = await requestToken(target.client_id, target.client_secret);
    expect(refused.status).toBe(429);
    expect((await validateResponse('createToken', refused)).problems).toEqual([]);
    expect(refused.headers.get('ratelimit-policy')).toBe('"token-failures";q=3;w=60');
    expect(refused.headers.get('ratelimit')).toMatch(/^"token-failures";r=0;t=\d+$/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(50);
    expect((await requestToken(other.client_id, other.client_secret)).status).toBe(200);
  });

  it('counts an unknown client_id the same way, so a 429 does not tell which ids exist', async () => {
    for (let i = 0; i < 3; i++) expect((await requestToken('cli_does_not_exist', 'wrong-secret')).status).toBe(401);
    expect((await requestToken('cli_does_not_exist', 'wrong-secret')).status).toBe(429);
  });

  it('does not count successful requests', async () => {
    const organization = await t.newOrganization();
    for (let i = 0; i < 5; i++)
      expect((await requestToken(organization.client_id, organization.client_secret)).status).toBe(200);
  });
});

it('an unreachable Redis: one warning without the password, and the in-memory limit answers', async () => {
  const lines: Record<string, unknown>[] = [];
  // Nothing listens on port 1: refused at once, and again on every reconnect attempt.
  const limits = createRateLimits(
    options({ perSecond: 1, burst: 1, redisUrl: 'redis://user:s3cret@127.0.0.1:1', log: (line) => lines.push(line) }),
  );
  try {
    const key = `org-${Date.now()}`;
    await limits.organization(key, 1);
    await expect(limits.organization(key, 1)).rejects.toMatchObject({ code: 'rate_limited' });
    await new Promise((resolve) => setTimeout(resolve, 700)); // a few reconnect attempts
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', message: expect.stringContaining('127.0.0.1:1 is unavailable') });
    expect(JSON.stringify(lines)).not.toContain('s3cret');
  } finally {
    await limits.close();
  }
});

describe('limits off', () => {
  it('RATE_LIMIT_PER_SECOND=0 and TOKEN_FAILURES_PER_MINUTE=0 turn every limit off, and no Redis is used', () => {
    const config = loadRateLimits({
      RATE_LIMIT_PER_SECOND: '0',
      TOKEN_FAILURES_PER_MINUTE: '0',
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    expect(createRateLimits({ ...config, log: () => {} })).toBe(noRateLimits);
  });

  it('an app without limits (as every test app) answers more than a default burst', async () => {
    const t = await createTestApp('pglite');
    const organization = await t.newOrganization();
    const responses = await Promise.all(
      Array.from({ length: 250 }, () =>
        t.request(`/v1/organizations/${organization.organization_id}`, { headers: organization.headers() }),
      ),
    );
    expect(new Set(responses.map((response) => response.status))).toEqual(new Set([200]));
  });

  it('reads the defaults and refuses a burst below the rate', () => {
    expect(loadRateLimits({})).toEqual({
      perSecond: 100,
      burst: 200,
      tokenFailuresPerMinute: 10,
      redisUrl: undefined,
      redisKeyPrefix: 'connections-api',
    });
    expect(loadRateLimits({ RATE_LIMIT_PER_SECOND: '500' }).burst).toBe(500);
    expect(() => loadRateLimits({ RATE_LIMIT_PER_SECOND: '50', RATE_LIMIT_BURST: '10' })).toThrow(/RATE_LIMIT_BURST/);
  });
});
