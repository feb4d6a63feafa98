// What a conformance run reports: cases (a flow step, a matrix cell, an operation's fuzzed
// requests), each with the findings that failed it, every finding naming the operation, the
// broken check and the request that showed it.
export type Suite = 'flow' | 'matrix' | 'fuzz';

export interface ShownRequest {
  method: string;
  path: string;
  /** The body as text, cut at 300 characters. */
  body: string;
}

export interface Finding {
  operationId: string;
  check: string;
  message: string;
  request: ShownRequest | undefined;
}

export interface CaseResult {
  suite: Suite;
  name: string;
  findings: Finding[];
}

const SHOWN_BODY = 300;

export function showRequest(path: string, init: RequestInit): ShownRequest {
  const body =
    init.body instanceof Uint8Array
      ? Buffer.from(init.body).toString('utf8')
      : typeof init.body === 'string'
        ? init.body
        : '';
  return {
    method: init.method ?? 'GET',
    path: path.length > SHOWN_BODY ? `${path.slice(0, SHOWN_BODY)}…` : path,
    body: body.length > SHOWN_BODY ? `${body.slice(0, SHOWN_BODY)}… (${body.length} bytes)` : body,
  };
}

const requestLine = (r: ShownRequest): string =>
  `${r.method} ${r.path}${r.body === '' ? '' : ` ${JSON.stringify(r.body)}`}`;

/** One line per finding: `operation — check: message`, the request on the next. */
export function findingText(f: Finding): string {
  return `${f.operationId} — ${f.check}: ${f.message}${f.request === undefined ? '' : `\n    request: ${requestLine(f.request)}`}`;
}
