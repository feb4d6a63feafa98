import { describe, expectTypeOf, test } from 'vitest';
import { createConnectionsClient, isProblem, type ErrorCode, type Problem } from '../../client/index.js';
import type {
  SchemaConnectionAction,
  SchemaGuestConnection,
  SchemaHostConnection,
  SchemaInvitation,
} from '../../generated/openapi.js';

const client = createConnectionsClient({
  baseUrl: 'http://127.0.0.1:3000/v1',
  requesterOrganizationId: 'org',
  token: 't',
});
const hostId = '00000000-0000-4000-8000-000000000001';

describe('options', () => {
  test('auth is a token or client credentials: not both, not neither', () => {
    const base = { baseUrl: 'http://127.0.0.1:3000/v1', requesterOrganizationId: 'org' };
    createConnectionsClient({ ...base, token: async () => 't' });
    createConnectionsClient({
      ...base,
      clientId: 'c',
      clientSecret: 's',
      fetch: (input, init) => fetch(new Request(input, init)),
    });
    // @ts-expect-error no auth
    createConnectionsClient(base);
    // @ts-expect-error both kinds of auth
    createConnectionsClient({ ...base, token: 't', clientId: 'c', clientSecret: 's' });
    // @ts-expect-error the secret is missing
    createConnectionsClient({ ...base, clientId: 'c' });
  });
});

describe('calls type-check against the contract without generics', () => {
  test('organization headers may be left out, and set explicitly', () => {
    void client.GET('/host-connections', { params: { query: { statuses: ['connected'] } } });
    void client.GET('/guest-connections/{guest_org_id}', {
      params: { path: { guest_org_id: hostId }, header: { 'Target-Organization-ID': hostId } },
    });
    void client.POST('/host-connections', {
      body: { host_organization_id: hostId },
      params: { header: { 'Idempotency-Key': 'k-1' } },
    });
  });

  test('a wrong path, body, query or header does not compile', () => {
    // @ts-expect-error not a path of the contract
    void client.GET('/healthzz');
    // @ts-expect-error DELETE is not an operation of this path
    void client.DELETE('/guest-invitations/{invitation_id}', { params: { path: { invitation_id: hostId } } });
    // @ts-expect-error `statuses` is required by the contract
    void client.GET('/host-connections', { params: { query: {} } });
    // @ts-expect-error not a connection status
    void client.GET('/host-connections', { params: { query: { statuses: ['pending'] } } });
    // @ts-expect-error unknown query parameter
    void client.GET('/guest-invitations', { params: { query: { page: 2 } } });
    // @ts-expect-error the body needs host_organization_id
    void client.POST('/host-connections', { body: { invitation_token: 'x'.repeat(10) } });
    void client.PATCH('/guest-connections/{guest_org_id}', {
      params: { path: { guest_org_id: hostId } },
      // @ts-expect-error archived is a boolean
      body: { archived: 'yes' },
    });
    // @ts-expect-error the path parameter is required
    void client.GET('/host-connections/{host_org_id}', {});
    // @ts-expect-error header values are strings
    void client.GET('/guest-invitations', { params: { header: { 'Target-Organization-ID': 7 } } });
  });
});

describe('responses narrow', () => {
  test('data and error exclude each other, each typed by the operation', async () => {
    const { data, error } = await client.POST('/host-connections', {
      body: { host_organization_id: hostId, invitation_token: null },
    });
    if (error) {
      expectTypeOf(error).toEqualTypeOf<Problem>();
      expectTypeOf(data).toEqualTypeOf<undefined>();
      expectTypeOf(error.code).toEqualTypeOf<ErrorCode>();
      return;
    }
    expectTypeOf(data).toEqualTypeOf<SchemaHostConnection>();
  });

  test('error.code is the contract union, so a wrong code does not compile', async () => {
    const { error } = await client.GET('/guest-invitations/{invitation_id}', {
      params: { path: { invitation_id: hostId } },
    });
    if (error?.code === 'invitation_not_found') expectTypeOf(error.status).toBeNumber();
    // @ts-expect-error not a code of the contract
    if (error?.code === 'not_found') return;
  });

  test('isProblem narrows unknown values', () => {
    const value: unknown = JSON.parse('{}');
    if (isProblem(value)) expectTypeOf(value.code).toEqualTypeOf<ErrorCode>();
  });
});

describe('paginate', () => {
  test('items are typed by the path', () => {
    expectTypeOf(client.paginate('/guest-invitations')).toEqualTypeOf<
      AsyncGenerator<SchemaInvitation, void, undefined>
    >();
    expectTypeOf(
      client.paginate('/host-connections', { params: { query: { statuses: ['connected'], limit: 10 } } }),
    ).toEqualTypeOf<AsyncGenerator<SchemaHostConnection, void, undefined>>();
    expectTypeOf(
      client.paginate('/guest-connections', { params: { query: { statuses: ['connected'] } } }),
    ).toEqualTypeOf<AsyncGenerator<SchemaGuestConnection, void, undefined>>();
    expectTypeOf(
      client.paginate('/guest-connections/{guest_org_id}/actions', { params: { path: { guest_org_id: hostId } } }),
    ).toEqualTypeOf<AsyncGenerator<SchemaConnectionAction, void, undefined>>();
    expectTypeOf(
      client.paginate('/host-connections/{host_org_id}/actions', { params: { path: { host_org_id: hostId } } }),
    ).toEqualTypeOf<AsyncGenerator<SchemaConnectionAction, void, undefined>>();
  });

  test('only list operations, with their own required parameters', () => {
    // @ts-expect-error not a list operation
    void client.paginate('/host-connections/{host_org_id}', { params: { path: { host_org_id: hostId } } });
    // @ts-expect-error `statuses` is required
    void client.paginate('/host-connections');
    // @ts-expect-error unknown query parameter
    void client.paginate('/guest-invitations', { params: { query: { page: 1 } } });
  });
});
