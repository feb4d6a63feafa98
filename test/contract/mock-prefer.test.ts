// What the Prism mock of openapi.yaml does with the `Prefer` header and with a bad request, as
// docs/mock.md says: static examples by default, `code=` and `example=` pick
// one, `dynamic=true` generates bodies from the schemas, and a refused request gets the
// operation's own 422 example with the real violation in `sl-violations`.
import { describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import type { OperationId } from '../../server/contract/document.js';
import { validateResponse } from '../support/contract.js';

const ORG = '3c90c3cc-0d44-4b50-8888-8dd25736052a';
const headers = { Authorization: 'Bearer mock-token', 'Requester-Organization-ID': ORG, 'Target-Organization-ID': ORG };
const document = parse(readFileSync(new URL('../../openapi.yaml', import.meta.url), 'utf8')) as {
  paths: Record<
    string,
    Record<
      string,
      {
        responses: Record<
          string,
          { content: Record<string, { example?: unknown; examples?: Record<string, { value: unknown }> }> }
        >;
      }
    >
  >;
};
const mock = (path: string, init: RequestInit = {}) =>
  fetch(`${inject('prismMockUrl')}${path}`, { ...init, headers: { ...headers, ...init.headers } });

describe('the mock and the Prefer header', () => {
  it.each([
    ['getOrganization', `/organizations/${ORG}`],
    ['getHostConnection', `/host-connections/${ORG}`],
    ['listGuestConnections', '/guest-connections?statuses=connected'],
    ['listGuestInvitations', '/guest-invitations'],
  ] as [OperationId, string][])(
    'Prefer: dynamic=true makes a %s body from the schema that the contract accepts',
    async (operationId, path) => {
      const response = await mock(path, { headers: { Prefer: 'dynamic=true' } });
      const checked = await validateResponse(operationId, response);
      expect({ status: checked.status, problems: checked.problems }).toEqual({ status: 200, problems: [] });
    },
  );

  it('Prefer: code=…, example=… answers that documented example', async () => {
    const response = await mock('/host-connections', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Prefer: 'code=409, example=invitation_already_accepted' },
      body: JSON.stringify({ host_organization_id: ORG }),
    });
    const documented =
      document.paths['/host-connections']?.post?.responses['409']?.content['application/problem+json']?.examples;
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual(documented?.invitation_already_accepted?.value);
  });

  it("answers a refused request with the operation's own 422 example, and the real violation in sl-violations", async () => {
    const response = await mock('/host-connections?statuses=connected&limit=500');
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual(
      document.paths['/host-connections']?.get?.responses['422']?.content['application/problem+json']?.example,
    );
    const violations = JSON.parse(response.headers.get('sl-violations') ?? '[]') as {
      location: string[];
      message: string;
    }[];
    expect(violations).toEqual([
      expect.objectContaining({ location: ['request', 'query', 'limit'], message: expect.stringContaining('<= 100') }),
    ]);
  });
});
