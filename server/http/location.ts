// `Location` headers name the operation that reads what was created, at the URL the contract
// gives it (its base path and path template), never a path written out by hand.
import { loadContract, type OperationId } from '../contract/document.js';

export function locationOf(operationId: OperationId, path: Record<string, string>): string {
  const operation = loadContract().byId.get(operationId);
  if (operation === undefined) throw new Error(`unknown operation ${operationId}`);
  return (
    operation.basePath +
    operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(path[name] ?? ''))
  );
}
