// Turns a request into the operation's input: the body read within limits and parsed by its
// media type, then parameters and body validated against the contract, every failure kept.
import { loadContract, type ContractOperation } from '../contract/document.js';
import type { ContractValidators, ValidatedParameters, ValidationError } from '../contract/validation.js';
import { ProblemError } from '../domain/problems.js';
import { duplicateKey } from './duplicate-keys.js';

const BODY_LIMIT_BYTES = loadContract().bodyLimitBytes;

/**
 * The client closed the connection before its body arrived whole: its own doing, not a failure
 * of ours. No answer can reach it; the request is logged and counted apart (router.ts).
 */
export class ClientClosedError extends Error {
  constructor(cause: unknown) {
    super('the client closed the connection before its request body arrived', { cause });
    this.name = 'ClientClosedError';
  }
}

export interface RequestParts {
  /** Read only for its body. */
  request: Request;
  /** The request's headers (headers.ts). */
  headers: Record<string, string>;
  path: Record<string, string>;
  query: Record<string, string[]>;
}

export interface OperationRequest {
  parameters: ValidatedParameters;
  body: unknown;
  /** Every failing input of path, query, header and body, in that order. */
  errors: ValidationError[];
}

interface ParsedBody {
  mediaType: string;
  value: unknown;
}

/** Reads and validates everything; throws only for 413, 415 and 400, which stop before validation. */
export async function readOperationRequest(
  validators: ContractValidators,
  operation: ContractOperation,
  parts: RequestParts,
): Promise<OperationRequest> {
  const body = await readBody(operation, parts);
  const { value: parameters, errors } = validators.parameters(operation.operationId, {
    path: parts.path,
    query: parts.query,
    headers: parts.headers,
  });
  if (body !== undefined) {
    errors.push(...validators.body(operation.operationId, body.mediaType, body.value));
  } else if (operation.requestBody.required) {
    errors.push({ location: 'body', pointer: '/', message: 'is required' });
  }
  return { parameters, body: body?.value, errors };
}

/** Undefined when the operation takes no body or none was sent (an empty body counts as none). */
async function readBody(
  operation: ContractOperation,
  { request, headers }: RequestParts,
): Promise<ParsedBody | undefined> {
  const accepted = Object.keys(operation.requestBody.content);
  // An operation without a request body ignores whatever was sent, as it ignores unknown headers.
  if (accepted.length === 0) return undefined;
  const declared = Number(headers['content-length'] ?? 0);
  if (declared > BODY_LIMIT_BYTES) throw tooLarge();
  const bytes = await readLimited(request.body, BODY_LIMIT_BYTES);
  if (bytes.byteLength === 0) return undefined;
  const mediaType = acceptedMediaType(headers['content-type'] ?? null, accepted);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ProblemError('malformed_json', 'The request body is not valid UTF-8.');
  }
  return { mediaType, value: mediaType === 'application/x-www-form-urlencoded' ? parseForm(text) : parseJson(text) };
}

function tooLarge(): ProblemError {
  return new ProblemError('payload_too_large', `The request body is over ${BODY_LIMIT_BYTES} bytes.`);
}

// Counts the bytes actually received: Content-Length can be absent (chunked) or understate.
async function readLimited(stream: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (error) {
      // The stream is the client's socket: it fails only when the client goes away mid-body.
      throw new ClientClosedError(error);
    }
    const { done, value } = chunk;
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** The contract's media type the `Content-Type` names; parameters other than `charset=utf-8` are refused. */
function acceptedMediaType(header: string | null, accepted: string[]): string {
  const [essence = '', ...parameters] = (header ?? '').split(';').map((part) => part.trim().toLowerCase());
  const charset = parameters
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/^"|"$/g, '');
  const others = parameters.filter((p) => p !== '' && !p.startsWith('charset='));
  if (accepted.includes(essence) && others.length === 0 && (charset === undefined || charset === 'utf-8'))
    return essence;
  throw new ProblemError('unsupported_media_type', `Send the body as ${accepted.join(' or ')} (UTF-8).`);
}

function parseJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProblemError('malformed_json', 'The request body is not valid JSON.');
  }
  const repeated = duplicateKey(text);
  if (repeated !== undefined) {
    // The key is the client's text: quoted as JSON and cut short, so the detail stays one short line.
    const shown = JSON.stringify(repeated.length > 64 ? `${repeated.slice(0, 64)}…` : repeated);
    throw new ProblemError('malformed_json', `The request body repeats the key ${shown} in one object.`);
  }
  return value;
}

/** A repeated field becomes an array, so the schema refuses it (RFC 6749 forbids repeats) instead of one copy winning. */
function parseForm(text: string): Record<string, string | string[]> {
  const form = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(text)) form.set(name, [...(form.get(name) ?? []), value]);
  // fromEntries defines own properties, so a field named `__proto__` stays a plain (refused) field.
  return Object.fromEntries(
    [...form].map(([name, values]) => [name, values.length === 1 ? (values[0] ?? '') : values]),
  );
}
