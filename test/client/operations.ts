// What "every operation" means for the client tests: the contract's own list, so an operation
// added later is missing from a walk until the walk calls it.
import type { Middleware } from 'openapi-fetch';
import { loadContract } from '../../server/contract/document.js';

export const contractOperations = (): string[] =>
  loadContract()
    .operations.map((op) => `${op.method.toUpperCase()} ${op.path}`)
    .sort();

/** Records `METHOD /schema/path` of every call the client makes. */
export function recordOperations(): { seen: Set<string>; middleware: Middleware } {
  const seen = new Set<string>();
  return {
    seen,
    middleware: {
      onRequest({ request, schemaPath }) {
        seen.add(`${request.method} ${schemaPath}`);
        return undefined;
      },
    },
  };
}
