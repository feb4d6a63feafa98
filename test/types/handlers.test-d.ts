// The server's handler map is typed against the generated operations: each @ts-expect-error
// below fails the typecheck if a map missing an operation, or a handler answering what the
// contract does not allow, ever compiles.
import { describe, expectTypeOf, test } from 'vitest';
import type { components, operations } from '../../generated/openapi.js';
import type { OperationHandlers, OperationResult } from '../../server/http/operation-types.js';

declare const handlers: OperationHandlers;
declare const hostConnection: components['schemas']['HostConnection'];

describe('OperationHandlers', () => {
  test('has exactly one handler per operationId of the contract', () => {
    expectTypeOf<keyof OperationHandlers>().toEqualTypeOf<keyof operations>();
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
