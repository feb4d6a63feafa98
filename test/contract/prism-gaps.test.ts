// Where Prism 5.14.2 falls short of the contract (docs/prism-gaps.md): each gap is shown on
// Prism, so the document stays true when Prism changes, and covered by a check of our own,
// on the contract's validators or the real server.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { contractDocument, loadContract } from '../../server/contract/document.js';
import { startPrism, type PrismProcess } from '../setup/prism.js';
import { createTestApp, type TestOrganization } from '../support/app.js';
import { atContractPaths, validateResponse, type Fetch } from '../support/contract.js';

const someId = '3c90c3cc-0d44-4b50-8888-8dd25736052a';
const mockHeaders = {
  Authorization: 'Bearer mock-token',
  'Requester-Organization-ID': someId,
  'Target-Organization-ID': someId,
};
const mock = (path: string, init: RequestInit = {}) => fetch(`${inject('prismMockUrl')}${path}`, init);

let server: Fetch;
let organization: TestOrganization;
beforeAll(async () => {
  const testApp = await createTestApp('pglite');
  server = atContractPaths(async (request) => testApp.app.fetch(request));
  organization = await testApp.newOrganization();
});
const onServer = (path: string, init: RequestInit = {}) => server(new Request(`http://app.test${path}`, init));

describe('request gaps: Prism lets through or answers outside the contract, the server does not', () => {
  test('a body that is not JSON: Prism answers its own 400 body; the server a contract problem', async () => {
    const init = {
      method: 'POST',
      headers: { ...mockHeaders, 'Content-Type': 'application/json' },
      body: '{"host_organization_id": ',
    };
    const fromPrism = await validateResponse('createHostConnection', await mock('/host-connections', init));
    expect(fromPrism.status).toBe(400);
    expect(fromPrism.problems).not.toEqual([]);

    const headers = { ...organization.headers(), 'Content-Type': 'application/json' };
    const fromServer = await validateResponse(
      'createHostConnection',
      await onServer('/host-connections', { ...init, headers }),
    );
    expect(fromServer).toMatchObject({
      status: 400,
      mediaType: 'application/problem+json',
      problems: [],
      body: { code: 'malformed_json' },
    });
  });

  test('an unknown query parameter: Prism ignores it; the server refuses it (422)', async () => {
    const path = `/guest-connections/${someId}/actions?limit=5&colour=blue`;
    expect((await mock(path, { headers: mockHeaders })).status).toBe(200);

    const ownPath = path.replace(someId, organization.organization_id);
    const fromServer = await validateResponse(
      'listGuestConnectionActions',
      await onServer(ownPath, { headers: organization.headers() }),
    );
    expect(fromServer).toMatchObject({
      status: 422,
      problems: [],
      body: { code: 'validation_failed', errors: [{ location: 'query', pointer: 'colour' }] },
    });
  });

  test('an unknown field in a form-encoded body: Prism ignores additionalProperties there; the server refuses it', async () => {
    const init = {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'cli_x',
        client_secret: 'secret',
        scope: 'all',
      }).toString(),
    };
    expect((await mock('/oauth2/token', init)).status).toBe(200);

    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: organization.client_id,
      client_secret: organization.client_secret,
      scope: 'all',
    });
    const fromServer = await validateResponse(
      'createToken',
      await onServer('/oauth2/token', { ...init, body: body.toString() }),
    );
    expect(fromServer).toMatchObject({
      status: 422,
      problems: [],
      body: { code: 'validation_failed', errors: [{ location: 'body', pointer: '/scope' }] },
    });
  });

  test('the auth scheme in lowercase (`bearer`, valid per RFC 9110): Prism refuses it; the server accepts it', async () => {
    const path = `/organizations/${organization.organization_id}`;
    expect((await mock(path, { headers: { ...mockHeaders, Authorization: 'bearer mock-token' } })).status).toBe(401);

    const headers = { ...organization.headers(), Authorization: `bearer ${organization.token}` };
    const fromServer = await validateResponse('getOrganization', await onServer(path, { headers }));
    expect(fromServer).toMatchObject({ status: 200, problems: [] });
  });
});

describe('response gaps: prism proxy --errors lets through what validateResponse() refuses', () => {
  // A fake upstream answers what a broken server could: Prism's verdict is compared with ours.
  const answers: Record<string, { status: number; type: string; body: unknown }> = {
    // A well-formed problem, but as application/json: the contract allows only application/problem+json.
    [`/organizations/${someId}`]: {
      status: 404,
      type: 'application/json',
      body: {
        type: 'https://connections.example.com/problems/organization_not_found',
        title: 'Organization not found',
        status: 404,
        detail: 'No such organization.',
        code: 'organization_not_found',
        errors: [],
      },
    },
    // A status getHealth does not document.
    '/healthz': { status: 418, type: 'application/problem+json', body: { title: "I'm a teapot" } },
  };
  let upstream: Server;
  let proxy: PrismProcess;
  beforeAll(async () => {
    upstream = createServer((request, response) => {
      const answer = answers[request.url ?? ''] ?? { status: 500, type: 'text/plain', body: 'unexpected' };
      response.writeHead(answer.status, { 'Content-Type': answer.type }).end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    proxy = await startPrism([
      'proxy',
      'openapi.yaml',
      `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      '--errors',
    ]);
  });
  afterAll(async () => {
    await proxy?.stop();
    await new Promise((resolve) => upstream?.close(resolve));
  });

  test('the media type of a response is not checked', async () => {
    const response = await fetch(`${proxy.url}/organizations/${someId}`, { headers: mockHeaders });
    const checked = await validateResponse('getOrganization', response);
    expect(checked.status).toBe(404); // Prism did not turn it into its 500 "VIOLATIONS"
    expect(checked.problems).toEqual(['getOrganization documents no 404 application/json response']);
  });

  test('an undocumented status is passed on unchecked', async () => {
    const checked = await validateResponse('getHealth', await fetch(`${proxy.url}/healthz`));
    expect(checked.status).toBe(418);
    expect(checked.problems).toEqual(['getHealth documents no 418 response']);
  });
});

describe('the contract stays within what Prism validates', () => {
  // Prism compiles 3.1 schemas with Ajv's draft-07 class and `strict: false`: keywords of
  // 2019-09/2020-12 are ignored without a word, and so are the siblings of a `$ref`.
  const ignoredByDraft07 = [
    ...['prefixItems', '$defs', 'unevaluatedProperties', 'unevaluatedItems', 'dependentRequired', 'dependentSchemas'],
    ...['minContains', 'maxContains', '$anchor', '$dynamicRef', '$dynamicAnchor'],
  ];

  test('no schema keyword that Prism would silently skip', () => {
    const found: string[] = [];
    const walk = (node: unknown, pointer: string): void => {
      if (Array.isArray(node)) {
        for (const [i, item] of node.entries()) walk(item, `${pointer}/${i}`);
        return;
      }
      if (typeof node !== 'object' || node === null) return;
      const keys = Object.keys(node);
      // A Reference Object may carry a summary and a description; anything else beside $ref is dropped.
      if (keys.includes('$ref') && keys.some((k) => !['$ref', 'summary', 'description'].includes(k)))
        found.push(`${pointer}: $ref with siblings`);
      for (const key of keys) {
        if (ignoredByDraft07.includes(key)) found.push(`${pointer}/${key}`);
        walk((node as Record<string, unknown>)[key], `${pointer}/${key}`);
      }
    };
    walk(contractDocument(), '#');
    expect(found).toEqual([]);
  });

  test('Uuid keeps its pattern: format uuid alone lets urn:uuid through Prism (ajv-formats)', () => {
    const pattern = new RegExp(String(loadContract().schemas.Uuid?.pattern));
    expect(pattern.test(someId)).toBe(true);
    expect(pattern.test(`urn:uuid:${someId}`)).toBe(false);
  });
});
