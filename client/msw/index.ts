// `connections-api-client/msw`: MSW 2 handlers answering the contract's documented examples.
// Needs `msw` and `openapi-msw` (optional peer dependencies: the plain client does without them).
export {
  connectionsHandlers,
  createConnectionsHttp,
  documentedResponse,
  type ConnectionsHandlersOptions,
  type ExampleChoice,
  type OperationId,
} from './handlers.js';
