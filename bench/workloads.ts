// The requests of each workload, for a target whose operations live under `base`.
import { operations } from '../generated/operations.js';
import type { GuestConnectionSearchField } from '../server/store/connection-sides.js';
import { fixtures, type Caller } from './data.js';
import type { RequestSpec } from './generator.js';

export const WORKLOADS = ['get', 'list', 'post'] as const;
export type Workload = (typeof WORKLOADS)[number];

export const WORKLOAD_LABELS: Record<Workload | 'constant', string> = {
  constant: 'GET / (constant)',
  get: 'GET /host-connections/{id}',
  list: 'GET /host-connections (25 rows)',
  post: 'POST /host-connections',
};

export const EXPECTED_STATUS: Record<Workload, number> = { get: 200, list: 200, post: 201 };

/** Signs a token for a caller, as the token endpoint would. */
export type Sign = (caller: Caller) => string;

function callerHeaders(caller: Caller, sign: Sign): Record<string, string> {
  return {
    Authorization: `Bearer ${sign(caller)}`,
    'Requester-Organization-ID': caller.organizationId,
    'Target-Organization-ID': caller.organizationId,
  };
}

export const constantRequest: RequestSpec = { method: 'GET', path: '/', headers: {} };

/** The lister reads its connection to one host. */
export function getRequest(base: string, sign: Sign): RequestSpec {
  return {
    method: 'GET',
    path: `${base}/host-connections/${fixtures.listedHost(1)}`,
    headers: callerHeaders(fixtures.lister, sign),
  };
}

/** The lister's connected hosts: all 25 in one page. */
export function listRequest(base: string, sign: Sign): RequestSpec {
  return {
    method: 'GET',
    path: `${base}/host-connections?statuses=connected`,
    headers: callerHeaders(fixtures.lister, sign),
  };
}

/** Guest `i` accepts its own invitation: a new connection, so each can be sent once only. */
export function postRequest(base: string, sign: Sign, i: number): RequestSpec {
  const guest = fixtures.postGuest(i);
  return {
    method: 'POST',
    path: `${base}/host-connections`,
    headers: { ...callerHeaders(guest, sign), 'Content-Type': 'application/json' },
    body: JSON.stringify({ host_organization_id: fixtures.postHost, invitation_token: guest.invitationToken }),
  };
}

/** The host with 10,000 connections, and the one with 1,000,000 (fewer in a short trial run). */
export const LIST_SIZES = ['small', 'large'] as const;
export type ListSize = (typeof LIST_SIZES)[number];

/** A way of reading the guest-connections list; `search` names the substring searched. */
export interface ListShape {
  name: string;
  query: string;
  search?: { field: GuestConnectionSearchField; text: string };
}

/** The values the contract allows for one of the guest list's parameters. */
function allowed(name: 'order_by' | 'search_field'): string[] {
  const schema = operations.listGuestConnections.parameters.find((parameter) => parameter.name === name)?.schema;
  if (schema === undefined || !('enum' in schema))
    throw new Error(`listGuestConnections has no enum parameter ${name}`);
  return [...schema.enum];
}

const ORDERS = allowed('order_by');
// Three hex digits, one text per search field: each matches about 0.15% of the generated names
// and e-mails (bench/data.ts).
const SEARCH_TEXTS = ['a1b', 'c2d', 'e3f', '4a5', 'b6c'];
const SEARCHES = allowed('search_field').map((field, i) => ({
  field: field as GuestConnectionSearchField,
  text: SEARCH_TEXTS[i % SEARCH_TEXTS.length] ?? 'a1b',
}));
/** The same absolute offset at both sizes, near the end of the 10,000 (9,500 of them connected). */
export const DEEP_OFFSET = 9400;
export const LIST_LIMIT = 25;

export const LIST_SHAPES: ListShape[] = [
  ...ORDERS.flatMap((order) =>
    (['asc', 'desc'] as const).map((dir) => ({
      name: `order_by=${order} ${dir}`,
      query: `order_by=${order}&order_dir=${dir}`,
    })),
  ),
  ...SEARCHES.map((search) => ({
    name: `search ${search.field} "${search.text}"`,
    query: `search_field=${search.field}&search_text=${search.text}`,
    search,
  })),
  { name: `offset=${DEEP_OFFSET}`, query: `offset=${DEEP_OFFSET}` },
];

export function guestListRequest(base: string, sign: Sign, size: ListSize, shape: ListShape): RequestSpec {
  const host = size === 'large' ? fixtures.largeHost : fixtures.smallHost;
  return {
    method: 'GET',
    path: `${base}/guest-connections?statuses=connected&limit=${LIST_LIMIT}&${shape.query}`,
    headers: callerHeaders(host, sign),
  };
}
