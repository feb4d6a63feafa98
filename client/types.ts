import type { components, paths } from '../generated/openapi.js';
import type { contract } from '../generated/operations.js';

/** The headers the client fills in on every secured call, so callers may leave them out. */
export type OrganizationHeaderName = (typeof contract.headers)['requesterOrganizationId' | 'targetOrganizationId'];

type LooseHeaders<H> = Omit<H, OrganizationHeaderName> & Partial<Pick<H, OrganizationHeaderName & keyof H>>;
type LooseParameters<P> = P extends { header: infer H } ? Omit<P, 'header'> & { header?: LooseHeaders<H> } : P;
type LooseOperation<O> = O extends { parameters: infer P }
  ? Omit<O, 'parameters'> & { parameters: LooseParameters<P> }
  : O;

/**
 * The contract's `paths` with the two organization headers made optional: the client sends them
 * itself (an explicit header still wins). Everything else (bodies, queries, responses) is untouched.
 */
export type ClientPaths = { [Path in keyof paths]: { [Key in keyof paths[Path]]: LooseOperation<paths[Path][Key]> } };

/** An RFC 9457 problem as the contract defines it; `code` is the contract's `ErrorCode` union. */
export type Problem = components['schemas']['Problem'];
export type ErrorCode = components['schemas']['ErrorCode'];
