// What the generated types must refuse: each @ts-expect-error fails the typecheck if the
// line below it ever compiles (e.g. after a contract change loosens the schema).
import createClient from 'openapi-fetch';
import { describe, expectTypeOf, test } from 'vitest';
import type { components, operations, paths } from '../../generated/openapi.js';

type CreateBody = operations['createHostConnection']['requestBody']['content']['application/json'];
type UpdateBody = components['schemas']['UpdateHostConnectionRequest'];
type HostConnection = components['schemas']['HostConnection'];

const client = createClient<paths>({ baseUrl: 'http://types.test/v1' });
const id = '3c90c3cc-0d44-4b50-8888-8dd25736052a';
const header = { 'Requester-Organization-ID': id, 'Target-Organization-ID': id };

describe('POST /host-connections', () => {
  test('the body needs host_organization_id', () => {
    // @ts-expect-error host_organization_id is required
    const body: CreateBody = { invitation_token: 'tok_0123456789' };
    void body;
    // @ts-expect-error host_organization_id is required
    void client.POST('/host-connections', { params: { header }, body: { invitation_token: null } });
  });

  test('invitation_token is a string, null or absent', () => {
    expectTypeOf<CreateBody['invitation_token']>().toEqualTypeOf<string | null | undefined>();
    void client.POST('/host-connections', {
      params: { header },
      body: { host_organization_id: id, invitation_token: null },
    });
    void client.POST('/host-connections', { params: { header }, body: { host_organization_id: id } });
    void client.POST('/host-connections', {
      params: { header },
      // @ts-expect-error not a number
      body: { host_organization_id: id, invitation_token: 1234567890 },
    });
  });

  test('the organization headers are named exactly, and both are required', () => {
    void client.POST('/host-connections', {
      params: { header: { ...header, 'Idempotency-Key': 'retry-1' } },
      body: { host_organization_id: id },
    });
    void client.POST('/host-connections', {
      // @ts-expect-error "Organisation" is not the header's name
      params: { header: { 'Requester-Organisation-ID': id, 'Target-Organization-ID': id } },
      body: { host_organization_id: id },
    });
    void client.POST('/host-connections', {
      // @ts-expect-error Target-Organization-ID is missing
      params: { header: { 'Requester-Organization-ID': id } },
      body: { host_organization_id: id },
    });
  });

  test('the response is a HostConnection whose nullable fields are always present', () => {
    expectTypeOf<
      operations['createHostConnection']['responses'][201]['content']['application/json']
    >().toEqualTypeOf<HostConnection>();
    expectTypeOf<HostConnection['archived_at']>().toEqualTypeOf<string | null>();
    expectTypeOf<HostConnection['active_action_type']>().toEqualTypeOf<
      'documents_update_request' | 'analytics_request' | null
    >();
  });
});

describe('PATCH /host-connections/{host_org_id}', () => {
  test('status takes only connected or disconnected', () => {
    expectTypeOf<NonNullable<UpdateBody['status']>>().toEqualTypeOf<'connected' | 'disconnected'>();
    const params = { header, path: { host_org_id: id } };
    void client.PATCH('/host-connections/{host_org_id}', { params, body: { status: 'disconnected' } });
    // @ts-expect-error not a connection status
    void client.PATCH('/host-connections/{host_org_id}', { params, body: { status: 'paused' } });
  });
});
