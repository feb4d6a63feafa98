/** A scripted stand-in for `fetch`: records every request the client sends and answers from a script, no sockets. */
export interface SentRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
  signal: AbortSignal;
}

export type Script = (request: SentRequest, index: number) => Response | Promise<Response>;

export function scriptedFetch(script: Script) {
  const sent: SentRequest[] = [];
  const fetch = async (input: Request): Promise<Response> => {
    const request: SentRequest = {
      method: input.method,
      url: new URL(input.url),
      headers: input.headers,
      body: await input.text(),
      signal: input.signal,
    };
    sent.push(request);
    return script(request, sent.length - 1);
  };
  return {
    fetch,
    sent,
    /** The requests to one path (below the base URL), e.g. `/oauth2/token`. */
    to: (path: string) => sent.filter((request) => request.url.pathname === `/v1${path}`),
  };
}

export const BASE_URL = 'http://api.test/v1';
export const ORG = '11111111-1111-4111-8111-111111111111';
export const OTHER_ORG = '22222222-2222-4222-8222-222222222222';

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

export function problem(status: number, code: string, headers: Record<string, string> = {}): Response {
  const body = {
    type: `https://errors.test/${code}`,
    title: code,
    status,
    detail: `scripted ${code}`,
    code,
    errors: [],
  };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/problem+json', ...headers },
  });
}

export const organization = {
  id: ORG,
  name: 'Acme',
  email: 'acme@example.com',
  owner_email: 'owner@example.com',
  created_at: '2024-01-01T00:00:00Z',
};

export const tokenResponse = (access_token: string, expires_in = 3600) =>
  json(200, { access_token, token_type: 'Bearer', expires_in });

/** Rejects when the request's signal aborts, like a real fetch whose server never answers. */
export function hang(request: SentRequest): Promise<Response> {
  const { signal } = request;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
}

/** A promise to resolve from outside, to hold a scripted answer back. */
export function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}
