// connections-api-client/react and /msw at the type level: a hook call or an MSW override that
// the contract does not allow does not compile.
import { expectTypeOf, test } from 'vitest';
import { createConnectionsClient, type components, type ErrorCode } from '../../client/index.js';
import { connectionsHandlers, createConnectionsHttp } from '../../client/msw/index.js';
import { createConnectionsHooks } from '../../client/react/index.js';

const client = createConnectionsClient({
  baseUrl: 'http://127.0.0.1:3000/v1',
  requesterOrganizationId: 'x',
  token: 't',
});
const hooks = createConnectionsHooks(client);
const ID = '3c90c3cc-0d44-4b50-8888-8dd25736052a';
type HostConnection = components['schemas']['HostConnection'];

test('hooks take only the paths, query parameters and bodies of the contract', () => {
  // @ts-expect-error not a path of the contract
  hooks.useQuery('get', '/host-connection');
  // @ts-expect-error /host-connections has no `status` query parameter (it is `statuses`)
  hooks.useQuery('get', '/host-connections', { params: { query: { status: ['connected'] } } });
  // @ts-expect-error `statuses` takes connection statuses only
  hooks.useQuery('get', '/host-connections', { params: { query: { statuses: ['pending'] } } });
  const create = hooks.useMutation('post', '/host-connections');
  // @ts-expect-error the body needs host_organization_id
  create.mutate({ body: { invitation_token: null } });
  // @ts-expect-error host_organization_id is a string
  create.mutate({ body: { host_organization_id: 42, invitation_token: null } });
  // @ts-expect-error no PATCH on /host-connections
  hooks.useMutation('patch', '/host-connections');
  // @ts-expect-error only the contract's lists page
  hooks.useInfiniteQuery('/organizations/{org_id}', { params: { path: { org_id: ID } } });
});

test('data is the typed body and errors are the contract Problem', () => {
  const hosts = hooks.useQuery('get', '/host-connections', { params: { query: { statuses: ['connected'] } } });
  expectTypeOf(hosts.data?.items).toEqualTypeOf<HostConnection[] | undefined>();
  expectTypeOf(hosts.error?.code).toEqualTypeOf<ErrorCode | undefined>();
  const pages = hooks.useInfiniteQuery('/host-connections', { params: { query: { statuses: ['connected'] } } });
  expectTypeOf(pages.data?.pages[0]?.items).toEqualTypeOf<HostConnection[] | undefined>();
});

test('MSW overrides and choices are checked against the contract', () => {
  const http = createConnectionsHttp('http://127.0.0.1:3000/v1');
  // @ts-expect-error not a path of the contract
  http.get('/host-connection', ({ response }) => response(200).json({ items: [], total_items: 0 }));
  // @ts-expect-error a list answers { items, total_items }
  http.get('/host-connections', ({ response }) => response(200).json({ items: [] }));
  connectionsHandlers({
    baseUrl: '',
    prefer: { createHostConnection: { code: 409, example: 'invitation_already_accepted' } },
  });
  // @ts-expect-error 418 is not documented for createHostConnection
  connectionsHandlers({ baseUrl: '', prefer: { createHostConnection: { code: 418 } } });
  // @ts-expect-error no such example
  connectionsHandlers({ baseUrl: '', prefer: { createHostConnection: { code: 409, example: 'nope' } } });
});
