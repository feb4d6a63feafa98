// POST /oauth2/token: JSON and form; every bad credential is the same 401 invalid_client.
import { beforeAll, describe, expect, it } from 'vitest';
import { revokeClient } from '../../server/domain/admin.js';
import type { Problem } from '../../server/http/problem.js';
import { createTestApp, type TestApp, type TestOrganization } from '../support/app.js';
import { engines } from '../support/database.js';

describe.each(engines)('createToken on %s', (engine) => {
  let t: TestApp;
  let org: TestOrganization;

  beforeAll(async () => {
    t = await createTestApp(engine);
    org = await t.newOrganization();
  });

  const asJson = (body: Record<string, string>) =>
    t.request('/v1/oauth2/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  const asForm = (body: string) =>
    t.request('/v1/oauth2/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
    });

  async function expectToken(response: Response): Promise<string> {
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const payload = JSON.parse(Buffer.from(body.access_token.split('.')[1] ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(payload).toMatchObject({ sub: org.client_id, org: org.organization_id });
    expect(Number(payload.exp) - Number(payload.iat)).toBe(3600);
    expect(typeof payload.jti).toBe('string');
    return body.access_token;
  }

  it('issues a token for JSON credentials, with or without grant_type', async () => {
    await expectToken(await asJson({ client_id: org.client_id, client_secret: org.client_secret }));
    await expectToken(
      await asJson({ grant_type: 'client_credentials', client_id: org.client_id, client_secret: org.client_secret }),
    );
  });

  it('issues a token for the OAuth form encoding, each token unique', async () => {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: org.client_id,
      client_secret: org.client_secret,
    });
    const first = await expectToken(await asForm(form.toString()));
    const second = await expectToken(await asForm(form.toString()));
    expect(first).not.toBe(second);
  });

  it('answers the same 401 invalid_client for an unknown client, a wrong secret and a revoked client', async () => {
    const revoked = await t.newOrganization();
    await revokeClient(t.store, revoked.client_id);
    const answers = await Promise.all([
      asJson({ client_id: 'cli_unknown', client_secret: org.client_secret }),
      asJson({ client_id: org.client_id, client_secret: `${org.client_secret}x` }),
      asJson({ client_id: revoked.client_id, client_secret: revoked.client_secret }),
    ]);
    const bodies = await Promise.all(
      answers.map(async (response) => {
        expect(response.status).toBe(401);
        return (await response.json()) as Problem;
      }),
    );
    expect(bodies[0]?.code).toBe('invalid_client');
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
  });

  it('refuses a form without grant_type, with another grant, or with a repeated field', async () => {
    const base = `client_id=${org.client_id}&client_secret=${org.client_secret}`;
    for (const [form, pointer] of [
      [base, '/grant_type'],
      [`grant_type=password&${base}`, '/grant_type'],
      [`grant_type=client_credentials&${base}&client_id=other`, '/client_id'],
    ] as const) {
      const response = await asForm(form);
      expect(response.status, form).toBe(422);
      expect(((await response.json()) as Problem).errors.map((e) => e.pointer)).toEqual([pointer]);
    }
  });

  it('answers 400 malformed_json to a repeated client_secret, even when the last one is right', async () => {
    const response = await t.request('/v1/oauth2/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: `{"client_id":${JSON.stringify(org.client_id)},"client_secret":"x","client_secret":${JSON.stringify(org.client_secret)}}`,
    });
    expect(response.status).toBe(400);
    expect((await response.json()) as Problem).toMatchObject({
      code: 'malformed_json',
      detail: expect.stringContaining('"client_secret"'),
    });
  });

  /** `Authorization: Basic` as RFC 6749 section 2.3.1 builds it: each half form-encoded, then base64. */
  const basic = (id: string, secret: string) =>
    `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
  const withBasic = (authorization: string, body: string, contentType = 'application/x-www-form-urlencoded') =>
    t.request('/v1/oauth2/token', {
      method: 'POST',
      headers: { 'Content-Type': contentType, Authorization: authorization },
      body,
    });

  it('issues a token for client_secret_basic with the form encoding', async () => {
    await expectToken(await withBasic(basic(org.client_id, org.client_secret), 'grant_type=client_credentials'));
    // A body that names the same client_id is not a second method.
    await expectToken(
      await withBasic(
        basic(org.client_id, org.client_secret),
        `grant_type=client_credentials&client_id=${org.client_id}`,
      ),
    );
  });

  it('answers 401 invalid_client with a Basic challenge to wrong Basic credentials', async () => {
    const response = await withBasic(basic(org.client_id, `${org.client_secret}x`), 'grant_type=client_credentials');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm="/);
    expect(((await response.json()) as Problem).code).toBe('invalid_client');
  });

  it('answers 400 invalid_request to both methods in one request, and to Basic credentials that do not decode', async () => {
    const both = [
      `grant_type=client_credentials&client_id=${org.client_id}&client_secret=${org.client_secret}`,
      `grant_type=client_credentials&client_secret=${org.client_secret}`,
      'grant_type=client_credentials&client_id=cli_someone_else',
    ];
    for (const body of both) {
      const response = await withBasic(basic(org.client_id, org.client_secret), body);
      expect(response.status, body).toBe(400);
      expect(((await response.json()) as Problem).code).toBe('invalid_request');
    }
    // JSON bodies always carry the credentials: with Basic as well, that is both ways.
    const json = await withBasic(
      basic(org.client_id, org.client_secret),
      JSON.stringify({ client_id: org.client_id, client_secret: org.client_secret }),
      'application/json',
    );
    expect(json.status).toBe(400);
    expect(((await json.json()) as Problem).code).toBe('invalid_request');
    const malformed = [
      'Basic',
      'Basic !!!',
      `Basic ${Buffer.from('no-colon').toString('base64')}`,
      `Basic ${Buffer.from(`${org.client_id}:%E0%A4%A`).toString('base64')}`,
    ];
    for (const authorization of malformed) {
      const response = await withBasic(authorization, 'grant_type=client_credentials');
      expect(response.status, authorization).toBe(400);
      expect(((await response.json()) as Problem).code).toBe('invalid_request');
    }
  });

  it('answers 422 naming the missing credentials when neither method carries them', async () => {
    const response = await asForm('grant_type=client_credentials');
    expect(response.status).toBe(422);
    expect(((await response.json()) as Problem).errors.map((e) => e.pointer)).toEqual(['/client_id', '/client_secret']);
  });

  it('refuses credentials over the contract lengths before looking them up', async () => {
    const response = await asJson({ client_id: 'c'.repeat(129), client_secret: 's'.repeat(65) });
    expect(response.status).toBe(422);
    expect(((await response.json()) as Problem).errors.map((e) => e.pointer).sort()).toEqual([
      '/client_id',
      '/client_secret',
    ]);
  });
});
