// Body envelope and validation: 413, 415, 400, and one 422 listing every failing input.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Problem } from '../../server/http/problem.js';
import { loadContract } from '../../server/contract/document.js';

const BODY_LIMIT_BYTES = loadContract().bodyLimitBytes;
import { createTestApp, type TestApp, type TestOrganization } from '../support/app.js';
import { engines } from '../support/database.js';

const json = { 'Content-Type': 'application/json' };

async function problemOf(response: Response): Promise<Problem> {
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  return (await response.json()) as Problem;
}

/** A JSON invitation body padded with a long e-mail to exactly `size` bytes. */
function paddedBody(size: number): string {
  const skeleton = JSON.stringify({ email: '', expired_at: '2099-01-01T00:00:00Z' });
  return skeleton.replace('"email":""', `"email":"${'a'.repeat(size - skeleton.length)}"`);
}

/** A body the runtime cannot measure in advance: sent without Content-Length. */
function streamOf(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 4096) controller.enqueue(bytes.slice(i, i + 4096));
      controller.close();
    },
  });
}

describe.each(engines)('request bodies on %s', (engine) => {
  let t: TestApp;
  let org: TestOrganization;

  beforeAll(async () => {
    t = await createTestApp(engine);
    org = await t.newOrganization();
  });

  const invite = (body: BodyInit, headers: Record<string, string> = json, init: RequestInit = {}) =>
    t.request('/v1/guest-invitations', { method: 'POST', headers: { ...org.headers(), ...headers }, body, ...init });

  it('answers 413 for a body over 64 KiB, by Content-Length and by the bytes actually read', async () => {
    const body = paddedBody(BODY_LIMIT_BYTES + 1);
    const declared = await invite(body, { ...json, 'Content-Length': String(body.length) });
    expect(declared.status).toBe(413);
    expect((await problemOf(declared)).code).toBe('payload_too_large');

    const streamed = await invite(streamOf(body), json, { duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    expect((await problemOf(streamed)).code).toBe('payload_too_large');
  });

  it('reads a body of exactly 64 KiB and judges its content instead', async () => {
    const response = await invite(paddedBody(BODY_LIMIT_BYTES));
    expect(response.status).toBe(422);
    expect((await problemOf(response)).errors).toContainEqual(
      expect.objectContaining({ location: 'body', pointer: '/email' }),
    );
  });

  it('answers 415 for a media type the operation does not take, or another charset', async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=iso-8859-1',
      'application/jsonx',
    ]) {
      const response = await invite('{}', { 'Content-Type': type });
      expect(response.status, type).toBe(415);
      expect((await problemOf(response)).code).toBe('unsupported_media_type');
    }
    const untyped = await t.request('/v1/guest-invitations', {
      method: 'POST',
      headers: org.headers(),
      body: new TextEncoder().encode('{}'),
    });
    expect(untyped.status).toBe(415);
  });

  it('accepts application/json with a UTF-8 charset parameter in any case', async () => {
    const response = await invite(JSON.stringify({ email: 'guest@example.test', expired_at: '2099-01-01T00:00:00Z' }), {
      'Content-Type': 'Application/JSON; charset="UTF-8"',
    });
    expect(response.status).toBe(201);
  });

  it('answers 400 malformed_json for broken JSON and for bytes that are not UTF-8', async () => {
    for (const body of ['{"email":', '{email: 1}', new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d])]) {
      const response = await invite(body);
      expect(response.status).toBe(400);
      expect((await problemOf(response)).code).toBe('malformed_json');
    }
  });

  it('answers 400 malformed_json naming a key repeated in one object, at any depth and however escaped', async () => {
    const expired = '"expired_at":"2099-01-01T00:00:00Z"';
    for (const [body, key] of [
      [`{"email":"a@example.test",${expired},"email":"b@example.test"}`, 'email'],
      [`{"email":"a@example.test",${expired},"\\u0065mail":"b@example.test"}`, 'email'],
      [`{"email":"a@example.test",${expired},"x":[1,{"k":1,"j":{"k":1},"k":2}]}`, 'k'],
      [`{"email":"a@example.test",${expired},"x":{"say \\"hi\\"":1, "say \\"hi\\"" : 2}}`, 'say "hi"'],
    ] as const) {
      const response = await invite(body);
      expect(response.status, body).toBe(400);
      const problem = await problemOf(response);
      expect(problem.code).toBe('malformed_json');
      expect(problem.detail).toContain(JSON.stringify(key));
    }
  });

  it('takes equal keys in different objects, and key-like text inside strings, as the JSON they are', async () => {
    const expired = '"expired_at":"2099-01-01T00:00:00Z"';
    // Both fail validation (unknown property, bad e-mail): the point is that they are not 400.
    for (const body of [
      `{"email":"a@example.test",${expired},"x":[{"k":1},{"k":2}],"y":{"k":{"k":3}},"z":{"k\\\\":1,"k":2}}`,
      `{"email":"\\"email\\": \\"b\\", {\\"email\\":1}",${expired}}`,
    ]) {
      const response = await invite(body);
      expect(response.status, body).toBe(422);
    }
  });

  it('answers 422 for a required body that is missing or empty', async () => {
    for (const body of [undefined, '']) {
      const response = await t.request('/v1/guest-invitations', {
        method: 'POST',
        headers: { ...org.headers(), ...json },
        body,
      });
      expect(response.status).toBe(422);
      expect((await problemOf(response)).errors).toEqual([{ location: 'body', pointer: '/', message: 'is required' }]);
    }
  });

  it('refuses an unknown property in a body and an unknown query parameter', async () => {
    const unknown = await invite(
      JSON.stringify({ email: 'guest@example.test', expired_at: '2099-01-01T00:00:00Z', nickname: 'x' }),
    );
    expect(unknown.status).toBe(422);
    expect((await problemOf(unknown)).errors).toEqual([
      { location: 'body', pointer: '/nickname', message: 'is not allowed' },
    ]);

    const query = await t.request('/v1/guest-invitations?limit=10&sort=email', { headers: org.headers() });
    expect(query.status).toBe(422);
    expect((await problemOf(query)).errors).toEqual([
      { location: 'query', pointer: 'sort', message: 'is not allowed' },
    ]);

    // Found by the fuzzer: on a plain object this name set the prototype and vanished.
    const proto = await t.request('/v1/guest-invitations?__proto__=x', { headers: org.headers() });
    expect(proto.status).toBe(422);
    expect((await problemOf(proto)).errors).toEqual([
      { location: 'query', pointer: '__proto__', message: 'is not allowed' },
    ]);
    const body = await invite('{"email":"guest@example.test","expired_at":"2099-01-01T00:00:00Z","__proto__":{"x":1}}');
    expect(body.status).toBe(422);
  });

  it('lists every failing input of path, query, header and body in one 422', async () => {
    const response = await t.request('/v1/host-connections/not-a-uuid?limit=0', {
      method: 'PATCH',
      headers: { ...org.headers(), 'Target-Organization-ID': 'nope', ...json },
      body: JSON.stringify({ status: 'gone' }),
    });
    expect(response.status).toBe(422);
    const problem = await problemOf(response);
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors.map((e) => `${e.location} ${e.pointer}`).sort()).toEqual([
      'body /status',
      'header Target-Organization-ID',
      'path host_org_id',
      'query limit',
    ]);
  });

  it('lists a bad optional header with the query and body failures once the caller is authorized', async () => {
    const response = await t.request('/v1/host-connections?order_dir=up', {
      method: 'POST',
      headers: { ...org.headers(), 'Idempotency-Key': 'k'.repeat(256), ...json },
      body: JSON.stringify({ host_organization_id: 42 }),
    });
    expect(response.status).toBe(422);
    const problem = await problemOf(response);
    expect(problem.errors.map((e) => `${e.location} ${e.pointer}`).sort()).toEqual([
      'body /host_organization_id',
      'header Idempotency-Key',
      'query order_dir',
    ]);
  });
});
