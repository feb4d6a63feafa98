// Authentication: every way a bearer token can be missing or bad is the same 401 with a challenge.
import { sign } from 'hono/jwt';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { revokeClient } from '../../server/domain/admin.js';
import type { Problem } from '../../server/http/problem.js';
import { TEST_JWT_SECRET, createTestApp, type TestApp, type TestOrganization } from '../support/app.js';
import { engines } from '../support/database.js';

const seconds = () => Math.floor(Date.now() / 1000);

describe.each(engines)('bearer tokens on %s', (engine) => {
  let t: TestApp;
  let org: TestOrganization;

  beforeAll(async () => {
    t = await createTestApp(engine);
    org = await t.newOrganization();
  });

  const getOwn = (authorization: string | undefined, who: TestOrganization = org) => {
    const headers: Record<string, string> = who.headers();
    if (authorization === undefined) delete headers.Authorization;
    else headers.Authorization = authorization;
    return t.request(`/v1/organizations/${who.organization_id}`, { headers });
  };

  async function expect401(response: Response, challenge: string): Promise<void> {
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(challenge);
    expect(((await response.json()) as Problem).code).toBe('invalid_token');
  }

  it('accepts its own token, with the scheme in any case', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      expect((await getOwn(`${scheme} ${org.token}`)).status, scheme).toBe(200);
    }
  });

  it('answers 401 with a bare challenge when there is no bearer credential', async () => {
    await expect401(await getOwn(undefined), 'Bearer');
    await expect401(await getOwn(''), 'Bearer');
    await expect401(
      await getOwn(`Basic ${Buffer.from(`${org.client_id}:${org.client_secret}`).toString('base64')}`),
      'Bearer',
    );
    await expect401(await getOwn(org.token), 'Bearer');
  });

  it('answers 401 invalid_token for a malformed token', async () => {
    for (const bad of ['Bearer', 'Bearer ', 'Bearer a.b', 'Bearer not a token', 'Bearer ***', `Bearer ${org.token}x`]) {
      await expect401(await getOwn(bad), 'Bearer error="invalid_token"');
    }
  });

  /** The claims of a valid token of `org`, for signing it some other way. */
  const validClaims = () => ({
    sub: org.client_id,
    org: org.organization_id,
    iat: seconds(),
    exp: seconds() + 600,
    jti: randomUUID(),
  });

  it('answers 401 invalid_token for a forged signature and for another algorithm', async () => {
    const claims = validClaims();
    const forged = await sign(claims, 'another-secret-another-secret-another-secret', 'HS256');
    await expect401(await getOwn(`Bearer ${forged}`), 'Bearer error="invalid_token"');
    const hs512 = await sign(claims, TEST_JWT_SECRET, 'HS512');
    await expect401(await getOwn(`Bearer ${hs512}`), 'Bearer error="invalid_token"');
    const [header, payload] = org.token.split('.');
    await expect401(await getOwn(`Bearer ${header}.${payload}.`), 'Bearer error="invalid_token"');
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    await expect401(await getOwn(`Bearer ${none}.${payload}.`), 'Bearer error="invalid_token"');
  });

  it('accepts a token signed with its secret by another HS256 implementation (hono/jwt)', async () => {
    const claims = validClaims();
    expect((await getOwn(`Bearer ${await sign(claims, TEST_JWT_SECRET, 'HS256')}`)).status).toBe(200);
  });

  it('answers 401 invalid_token for a well-signed token that names another organization than its client', async () => {
    const other = await t.newOrganization();
    const claims = {
      sub: org.client_id,
      org: other.organization_id,
      iat: seconds(),
      exp: seconds() + 600,
      jti: randomUUID(),
    };
    const token = await sign(claims, TEST_JWT_SECRET, 'HS256');
    await expect401(await getOwn(`Bearer ${token}`, other), 'Bearer error="invalid_token"');
  });

  it('answers 401 invalid_token for an expired token', async () => {
    const twoHoursAgo = new Date(Date.now() - 2 * 3600 * 1000);
    const past = createApp({ store: t.store, jwtSecret: TEST_JWT_SECRET, now: () => twoHoursAgo, log: () => {} });
    const response = await past.request('/v1/oauth2/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_id: org.client_id, client_secret: org.client_secret }),
    });
    const { access_token } = (await response.json()) as { access_token: string };
    await expect401(await getOwn(`Bearer ${access_token}`), 'Bearer error="invalid_token"');
    // The same clock that issued it still accepts it: only the expiry differs.
    expect(
      (
        await past.request(`/v1/organizations/${org.organization_id}`, {
          headers: { ...org.headers(), Authorization: `Bearer ${access_token}` },
        })
      ).status,
    ).toBe(200);
  });

  it('answers 401 invalid_token when a token it accepted before expires: a remembered token is still timed', async () => {
    let now = new Date();
    const app = createApp({ store: t.store, jwtSecret: TEST_JWT_SECRET, now: () => now, log: () => {} });
    const response = await app.request('/v1/oauth2/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_id: org.client_id, client_secret: org.client_secret }),
    });
    const { access_token, expires_in } = (await response.json()) as { access_token: string; expires_in: number };
    const read = async () =>
      (
        await app.request(`/v1/organizations/${org.organization_id}`, {
          headers: { ...org.headers(), Authorization: `Bearer ${access_token}` },
        })
      ).status;
    expect([await read(), await read()]).toEqual([200, 200]);
    now = new Date(now.getTime() + expires_in * 1000);
    expect(await read()).toBe(401);
  });

  it('answers 401 invalid_token for a token dated in the future or living longer than the configured lifetime', async () => {
    // What a leaked key could mint: well signed, unexpired, naming a live client.
    const now = seconds();
    const minted = {
      'iat ten minutes ahead': { ...validClaims(), iat: now + 600, exp: now + 1200 },
      'a ten-year token': { ...validClaims(), iat: now, exp: now + 10 * 365 * 86_400 },
      'one second over the lifetime (3600)': { ...validClaims(), iat: now - 10, exp: now + 3591 },
    };
    for (const [name, claims] of Object.entries(minted)) {
      const response = await getOwn(`Bearer ${await sign(claims, TEST_JWT_SECRET, 'HS256')}`);
      expect(response.status, name).toBe(401);
      await expect401(response, 'Bearer error="invalid_token"');
    }
    // Within the skew and the lifetime: accepted.
    const edge = { ...validClaims(), iat: now + 30, exp: now + 30 + 3600 };
    expect((await getOwn(`Bearer ${await sign(edge, TEST_JWT_SECRET, 'HS256')}`)).status).toBe(200);
  });

  it('answers 401 invalid_token once the client is revoked, before the token expires', async () => {
    const doomed = await t.newOrganization();
    expect((await getOwn(`Bearer ${doomed.token}`, doomed)).status).toBe(200);
    await revokeClient(t.store, doomed.client_id);
    await expect401(await getOwn(`Bearer ${doomed.token}`, doomed), 'Bearer error="invalid_token"');
  });

  it('answers 401 before judging any input', async () => {
    const response = await t.request('/v1/host-connections/not-a-uuid?bogus=1', {
      method: 'PATCH',
      headers: { 'Content-Type': 'text/plain', 'Target-Organization-ID': 'x' },
      body: 'x'.repeat(100_000),
    });
    await expect401(response, 'Bearer');
  });

  it('answers 403 requester_mismatch when Requester-Organization-ID is not the token organization', async () => {
    const other = await t.newOrganization();
    for (const requester of [other.organization_id, randomUUID()]) {
      const response = await t.request(`/v1/organizations/${org.organization_id}`, {
        headers: { ...org.headers(), 'Requester-Organization-ID': requester },
      });
      expect(response.status).toBe(403);
      expect(((await response.json()) as Problem).code).toBe('requester_mismatch');
    }
    const upper = await t.request(`/v1/organizations/${org.organization_id}`, {
      headers: { ...org.headers(), 'Requester-Organization-ID': org.organization_id.toUpperCase() },
    });
    expect(upper.status).toBe(200);
  });
});
