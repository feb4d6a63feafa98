// The workloads, one row each, for a target whose operations live under `base` (`/v1` on our
// processes, the root on Prism), the shapes of the guest-connections list, and the tokens.
import type { operations } from '../generated/openapi.js';
import { operations as described } from '../generated/operations.js';
import { createTokenIssuer } from '../server/domain/tokens.js';
import { fixtures, type Requester } from './data.js';
import type { RequestSpec } from './loadgen.js';
import { SERVER_SETTINGS, type TargetName } from './targets.js';

export const SMALL_LIST = 10_000; // connections of the small guest list
/** Every window's warm-up seconds and connections (the list shapes: 1). */
export const [WARMUP_SECONDS, CONNECTIONS] = [1, 16];

/** Signs a token for a requester, as the token endpoint would. */
export type Sign = (requester: Requester) => string;
/**
 * A row of the table: the status every answer must have, and its request. `fresh`: each request
 * needs a guest of its own not connected yet (`guest`, from 1), so each is sent once; otherwise
 * requests `guest` 1 to `cycle` are sent in turn.
 */
type Workload = { label: string; expect: number; fresh?: true; cycle?: number; on?: TargetName[] } & {
  request(base: string, sign: Sign, guest: number): RequestSpec;
};

const json = { 'Content-Type': 'application/json' };
const headers = (requester: Requester, sign: Sign, more = {}): Record<string, string> => ({
  Authorization: `Bearer ${sign(requester)}`,
  'Requester-Organization-ID': requester.organizationId,
  'Target-Organization-ID': requester.organizationId,
  ...more,
});

export type WorkloadName = 'constant' | 'get' | 'list' | 'post' | 'patch';
/**
 * A read of the lister's: its connection to one host, or its 25 connected hosts in one page
 * (`path` is read lazily: data.ts and this file import each other).
 */
const read = (label: string, path: () => string): Workload => ({
  label,
  expect: 200,
  request: (base, sign) => ({ method: 'GET', path: `${base}${path()}`, headers: headers(fixtures.lister, sign) }),
});
const CONSTANT = { method: 'GET', path: '/', headers: {} };
/** `on`: the targets a workload runs on (default: every target but Hono's). */
export const WORKLOADS: Record<WorkloadName, Workload> = {
  constant: { label: 'GET / (constant)', expect: 200, on: ['hono'], request: () => ({ ...CONSTANT }) },
  get: read('GET /host-connections/{id}', () => `/host-connections/${fixtures.listedHost(1)}`),
  list: read('GET /host-connections (25 rows)', () => '/host-connections?statuses=connected'),
  // A fresh guest accepts its own invitation.
  post: {
    label: 'POST /host-connections',
    expect: 201,
    fresh: true,
    request: (base, sign, guest) => {
      const { invitationToken, ...requester } = fixtures.postGuest(guest);
      const body = JSON.stringify({ host_organization_id: fixtures.postHost, invitation_token: invitationToken });
      return { method: 'POST', path: `${base}/host-connections`, headers: headers(requester, sign, json), body };
    },
  },
  // The large list's host archives and unarchives its guests 1–100 in turn: each request changes
  // the row, its list indexes and the counts. Only the servers on PostgreSQL run it.
  patch: {
    label: 'PATCH /guest-connections/{id}',
    expect: 200,
    cycle: 200,
    on: ['server-postgres', 'server-postgres-10k'],
    request: (base, sign, i) => ({
      method: 'PATCH',
      path: `${base}/guest-connections/${fixtures.listGuest(Math.ceil(i / 2))}`,
      headers: headers(fixtures.largeHost, sign, json),
      body: JSON.stringify({ archived: i % 2 === 1 }),
    }),
  },
};
export const WORKLOAD_NAMES = Object.keys(WORKLOADS) as WorkloadName[];
export const runsOn = (workload: WorkloadName, target: TargetName) =>
  WORKLOADS[workload].on?.includes(target) ?? target !== 'hono';

export type ListQuery = operations['listGuestConnections']['parameters']['query'];
/** A way of reading the guest-connections list: what it changes of the default query. */
export type ListShape = { name: string; query: Partial<ListQuery> };

/** The values the contract allows for one of the guest list's parameters. */
function allowed<K extends 'order_by' | 'search_field'>(name: K): NonNullable<ListQuery[K]>[] {
  const schema = described.listGuestConnections.parameters.find((p) => p.name === name)?.schema;
  if (schema === undefined || !('enum' in schema)) throw new Error(`listGuestConnections has no enum ${name}`);
  return [...schema.enum] as NonNullable<ListQuery[K]>[];
}

// Three hex digits, one per search field: each matches about 0.15% of the generated names and e-mails.
const SEARCH_TEXTS = ['a1b', 'c2d', 'e3f'];
/** The same absolute offset at both sizes, near the end of the 10,000 (9,500 of them connected). */
const DEEP_OFFSET = 9400;

const shape = (name: string, query: ListShape['query']): ListShape => ({ name, query });
export const LIST_SHAPES: ListShape[] = [
  ...allowed('order_by').flatMap((order_by) =>
    (['asc', 'desc'] as const).map((order_dir) => shape(`order_by=${order_by} ${order_dir}`, { order_by, order_dir })),
  ),
  ...allowed('search_field').map((search_field, i) => {
    const search_text = SEARCH_TEXTS[i % SEARCH_TEXTS.length] ?? 'a1b';
    return shape(`search ${search_field} "${search_text}"`, { search_field, search_text });
  }),
  shape(`offset=${DEEP_OFFSET}`, { offset: DEEP_OFFSET }),
  shape('both statuses', { statuses: ['connected', 'disconnected'] }),
  shape('archived=true', { archived: true }),
  shape('disconnected, archived=true, offset=400', { statuses: ['disconnected'], archived: true, offset: 400 }),
];

export const listWorkload = (size: number, shape: { name: string }): string =>
  `guest list ${size.toLocaleString('en-US')}: ${shape.name}`;

/** A shape's whole query: connected ones, 25 a page, unless the shape says otherwise. */
export const listQuery = (shape: ListShape): ListQuery => ({ statuses: ['connected'], limit: 25, ...shape.query });

export function guestListRequest(base: string, sign: Sign, host: Requester, shape: ListShape): RequestSpec {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(listQuery(shape)))
    for (const one of [value].flat()) query.append(name, String(one));
  return { method: 'GET', path: `${base}/guest-connections?${query}`, headers: headers(host, sign) };
}

/** Every requester's token, signed with the servers' secret by the server's own issuer. */
export async function signer(jwtSecret: string, postGuests: number): Promise<Sign> {
  const ttlSeconds = Number(SERVER_SETTINGS.TOKEN_TTL_SECONDS);
  const issuer = createTokenIssuer({ secret: jwtSecret, ttlSeconds, now: () => new Date() });
  const tokens = new Map<string, string>();
  const guests = Array.from({ length: postGuests }, (_, i) => fixtures.postGuest(i + 1));
  for (const requester of [fixtures.lister, fixtures.largeHost, fixtures.smallHost, ...guests])
    tokens.set(requester.clientId, (await issuer.issue(requester)).accessToken);
  return (requester) => tokens.get(requester.clientId) ?? '';
}
