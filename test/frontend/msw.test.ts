// connections-api-client/msw: every operation's handler answers its documented example, which
// the contract's own validators accept; another documented answer is chosen per operation
// (`prefer`) or per request (`Prefer: code=…, example=…`, as with the Prism mock); a test's own
// typed override wins over the defaults.
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectionsHandlers, createConnectionsHttp } from '../../client/msw/index.js';
import { responseExamples } from '../../generated/examples.js';
import { routes } from '../../generated/operations.js';
import type { OperationId } from '../../server/contract/document.js';
import { validateResponse } from '../support/contract.js';

const ORIGIN = 'http://api.msw.test';
const BASE_URL = `${ORIGIN}/v1`;
const ID = '3c90c3cc-0d44-4b50-8888-8dd25736052a';
const server = setupServer(...connectionsHandlers({ baseUrl: BASE_URL }));

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** A request to the operation's route, at its own base path, with every path parameter filled in. */
function requestTo(operationId: OperationId, headers: Record<string, string> = {}): Request {
  const route = routes[operationId];
  return new Request(`${ORIGIN}${route.basePath}${route.path.replace(/\{[^}]+\}/g, ID)}`, {
    method: route.method.toUpperCase(),
    headers,
  });
}

describe('connectionsHandlers', () => {
  it.each(Object.keys(routes) as OperationId[])(
    '%s answers its first documented success, valid against the contract',
    async (operationId) => {
      const response = await fetch(requestTo(operationId));
      const checked = await validateResponse(operationId, response);
      const byStatus = responseExamples[operationId] as Record<string, { contentType?: string }>;
      const success = Object.keys(byStatus).find((status) => status.startsWith('2')) ?? '';
      expect({ status: checked.status, problems: checked.problems }).toEqual({ status: Number(success), problems: [] });
      // A body exactly when the success has content (a 204 has none).
      expect(checked.body === undefined).toBe(byStatus[success]?.contentType === undefined);
    },
  );

  it('answers the documented example a request asks for with Prefer: code=…, example=…', async () => {
    const response = await fetch(
      requestTo('createHostConnection', { Prefer: 'code=409, example=invitation_already_accepted' }),
    );
    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toEqual(
      responseExamples.createHostConnection['409'].examples.invitation_already_accepted,
    );
  });

  it('answers the choice given in `prefer` for that operation only', async () => {
    server.use(...connectionsHandlers({ baseUrl: BASE_URL, prefer: { getHostConnection: { code: 404 } } }));
    const [notFound, organization] = await Promise.all([
      fetch(requestTo('getHostConnection')),
      fetch(requestTo('getOrganization')),
    ]);
    expect(notFound.status).toBe(404);
    expect((await validateResponse('getHostConnection', notFound)).problems).toEqual([]);
    expect(organization.status).toBe(200);
  });

  it('fails loudly on a status or example the contract does not document', async () => {
    const response = await fetch(requestTo('getOrganization', { Prefer: 'code=418' }));
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('getOrganization documents no 418 response');
  });

  it('gives way to a typed override from createConnectionsHttp', async () => {
    const http = createConnectionsHttp(BASE_URL);
    server.use(
      http.get('/organizations/{org_id}', ({ params, response }) =>
        response(200).json({ ...responseExamples.getOrganization['200'].example, id: params.org_id, name: 'Override' }),
      ),
    );
    const response = await fetch(requestTo('getOrganization'));
    expect(await response.json()).toMatchObject({ id: ID, name: 'Override' });
  });
});
