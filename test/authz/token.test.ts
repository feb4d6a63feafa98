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

  it('refuses credentials over the contract lengths before looking them up', async () => {
    const response = await asJson({ client_id: 'c'.repeat(129), client_secret: 's'.repeat(65) });
    expect(response.status).toBe(422);
    expect(((await response.json()) as Problem).errors.map((e) => e.pointer).sort()).toEqual([
      '/client_id',
      '/client_secret',
    ]);
  });
});
