// MSW 2 handlers (via openapi-msw) for every operation of the contract, each answering the
// response documented in openapi.yaml (generated/examples.ts), so a frontend's tests get the
// contract's own answers without a mock server.
import { HttpResponse, type HttpHandler } from 'msw';
import { createOpenApiHttp, type OpenApiHttpHandlers } from 'openapi-msw';
import { responseExamples } from '../../generated/examples.js';
import { contract, routes } from '../../generated/operations.js';
import type { paths } from '../../generated/openapi.js';

export type OperationId = keyof typeof routes;
type Documented = {
  contentType?: string;
  example?: unknown;
  examples?: Record<string, unknown>;
  headers?: Record<string, string>;
};
type StatusOf<Op extends OperationId> = keyof (typeof responseExamples)[Op] & string;
type NamesOf<Op extends OperationId, S extends StatusOf<Op>> = (typeof responseExamples)[Op][S] extends {
  examples: infer Named;
}
  ? keyof Named & string
  : never;

/** A documented status of the operation and, where it has named examples, one of their names. */
export type ExampleChoice<Op extends OperationId> = {
  [S in StatusOf<Op>]: { code: S | (S extends `${infer N extends number}` ? N : never); example?: NamesOf<Op, S> };
}[StatusOf<Op>];

export type ConnectionsHandlersOptions = {
  /** The client's `baseUrl`, e.g. `http://127.0.0.1:3000/v1`; the probes are answered at its origin's root. */
  baseUrl: string;
  /** Another documented answer than the first success for some operations, like Prism's `Prefer: code=…, example=…`. */
  prefer?: { [Op in OperationId]?: ExampleChoice<Op> };
};

/** openapi-msw's `http`, typed by the contract's paths, under `baseUrl`: for a test's own overrides. */
export function createConnectionsHttp(baseUrl: string): OpenApiHttpHandlers<paths> {
  return createOpenApiHttp<paths>({ baseUrl: baseUrl.replace(/\/+$/, '') });
}

/** `code=409, example=name` (the syntax of Prism's `Prefer` header) as a choice; null without a code. */
function parsePrefer(header: string | null): { code: string; example?: string } | null {
  const settings = new Map<string, string>();
  for (const part of (header ?? '').split(',')) {
    const [key, value] = part.split('=').map((item) => item.trim());
    if (key !== undefined && value !== undefined) settings.set(key, value);
  }
  const code = settings.get('code');
  if (code === undefined) return null;
  const example = settings.get('example');
  return example === undefined ? { code } : { code, example };
}

/** The operation's documented answer for the choice; by default its first 2xx and its first example. */
export function documentedResponse(
  operationId: OperationId,
  choice?: { code: string | number; example?: string },
): Response {
  const byStatus = responseExamples[operationId] as Record<string, Documented>;
  const status = String(choice?.code ?? Object.keys(byStatus).find((code) => code.startsWith('2')));
  const documented = byStatus[status];
  if (documented === undefined) throw new Error(`${operationId} documents no ${status} response`);
  const name = choice?.example ?? Object.keys(documented.examples ?? {})[0];
  const named = documented.examples ?? {};
  if (choice?.example !== undefined && !(choice.example in named))
    throw new Error(`${operationId} documents no example ${choice.example} for ${status}`);
  const body = documented.example ?? (name === undefined ? undefined : named[name]);
  const headers = { ...documented.headers };
  if (documented.contentType === undefined || body === undefined)
    return new HttpResponse(null, { status: Number(status), headers });
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new HttpResponse(text, {
    status: Number(status),
    headers: { ...headers, 'Content-Type': documented.contentType },
  });
}

type LooseHttp = Record<string, (path: string, resolver: (info: { request: Request }) => Response) => HttpHandler>;

/**
 * One handler per operation, for `setupServer(...connectionsHandlers({ baseUrl }))` or
 * `setupWorker(...)`. A request's own `Prefer: code=…, example=…` header wins over `prefer`.
 */
export function connectionsHandlers(options: ConnectionsHandlersOptions): HttpHandler[] {
  const api = options.baseUrl.replace(/\/+$/, '');
  const root = api.endsWith(contract.basePath) ? api.slice(0, -contract.basePath.length) : api;
  const preferred = options.prefer as Record<string, { code: string | number; example?: string }> | undefined;
  return Object.entries(routes).map(([operationId, route]) => {
    const http = createOpenApiHttp<paths>({ baseUrl: root + route.basePath }) as unknown as LooseHttp;
    const handle = http[route.method];
    if (handle === undefined) throw new Error(`no MSW handler for the method ${route.method}`);
    return handle(route.path, ({ request }) =>
      documentedResponse(
        operationId as OperationId,
        parsePrefer(request.headers.get('Prefer')) ?? preferred?.[operationId],
      ),
    );
  });
}
