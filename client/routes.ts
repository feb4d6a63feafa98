// What the client must know of each operation, from the generated operation table: whether it
// is secured, whether it takes an Idempotency-Key, and the base path it lives under.
import { contract, routes } from '../generated/operations.js';

type Route = (typeof routes)[keyof typeof routes];

const byRequest = new Map<string, Route>(
  Object.values(routes).map((route) => [`${route.method.toUpperCase()} ${route.path}`, route]),
);

/** The contract's operation for a request's method and path template; undefined for a path it does not have. */
export function routeOf(method: string, schemaPath: string): Route | undefined {
  return byRequest.get(`${method.toUpperCase()} ${schemaPath}`);
}

/** Operations with `security: []` take no bearer token and no organization headers; anything else is secured. */
export function isSecured(method: string, schemaPath: string): boolean {
  return routeOf(method, schemaPath)?.secured ?? true;
}

/** The base path of the contract's `servers` (`/v1`): what the client's `baseUrl` ends with. */
export const API_BASE_PATH: string = contract.basePath;

/** The token endpoint (`POST /oauth2/token`), which the client calls itself for client credentials. */
export const TOKEN_ROUTE = routes.createToken;

/** The names of the headers the client fills in: `Requester-Organization-ID`, `Target-Organization-ID`, `Idempotency-Key`. */
export const HEADERS = contract.headers;
