// The server's handler map is typed against the generated operations: each @ts-expect-error
// below fails the typecheck if a map missing an operation, or a handler answering what the
// contract does not allow, ever compiles.
import { describe, expectTypeOf, test } from 'vitest';
import type { components, operations, webhooks } from '../../generated/openapi.js';
import type { OperationHandlers, OperationResult } from '../../server/http/operation-types.js';

declare const handlers: OperationHandlers;
declare const hostConnection: components['schemas']['HostConnection'];

describe('OperationHandlers', () => {
  test('has exactly one handler per operationId of the contract, none for the webhooks it sends', () => {
    type Sent = NonNullable<webhooks[keyof webhooks]['post']>;
    type SentIds = { [K in keyof operations]: operations[K] extends Sent ? K : never }[keyof operations];
    expectTypeOf<keyof OperationHandlers>().toEqualTypeOf<Exclude<keyof operations, SentIds>>();
  });

  test('a map without one operation does not compile', () => {
    const { getHostConnection, ...withoutOne } = handlers;
    void getHostConnection;
    // @ts-expect-error getHostConnection is missing
    const incomplete: OperationHandlers = withoutOne;
    void incomplete;
  });

  test('a handler answers only documented success statuses and bodies', () => {
    expectTypeOf<OperationResult<'createHostConnection'>['status']>().toEqualTypeOf<201>();
    const wrongStatus: OperationResult<'getHostConnection'> = {
      // @ts-expect-error 201 is not a documented status of getHostConnection
      status: 201,
      body: hostConnection,
    };
    const wrongBody: OperationResult<'getGuestConnection'> = {
      status: 200,
      // @ts-expect-error a host connection is not a guest connection
      body: hostConnection,
    };
    void wrongStatus;
    void wrongBody;
  });
});
