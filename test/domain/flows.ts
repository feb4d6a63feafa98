// The steps the domain tests repeat, each one HTTP request made as an API user makes it.
import { expect } from 'vitest';
import type { components } from '../../generated/openapi.js';
import type { TestApp, TestOrganization } from '../support/app.js';

type Schemas = components['schemas'];
export type Invitation = Schemas['Invitation'];
export type HostConnection = Schemas['HostConnection'];
export type GuestConnection = Schemas['GuestConnection'];
export type ConnectionAction = Schemas['ConnectionAction'];
export type Problem = Schemas['Problem'];

export const MISSING_ID = '00000000-0000-4000-8000-000000000000';
const DAY_MS = 24 * 60 * 60 * 1000;

export function inDays(days: number): string {
  return new Date(Date.now() + days * DAY_MS).toISOString();
}

export async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/** Sends a JSON body as `organization`, on its own behalf (target = itself). */
export function send(
  t: TestApp,
  organization: TestOrganization,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return t.request(`/v1${path}`, {
    method,
    headers: {
      ...organization.headers(),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Expects a problem with this status and code; returns it for further checks. */
export async function expectProblem(response: Response, status: number, code: Problem['code']): Promise<Problem> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const problem = JSON.parse(text) as Problem;
  expect(problem.code).toBe(code);
  return problem;
}

export async function expectStatus<T>(response: Response, status: number): Promise<T> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  return JSON.parse(text) as T;
}

export async function invite(
  t: TestApp,
  host: TestOrganization,
  email: string,
  extra: { expired_at?: string; parent_organization_id?: string | null } = {},
): Promise<Invitation> {
  const response = await send(t, host, 'POST', '/guest-invitations', { email, expired_at: inDays(30), ...extra });
  return expectStatus<Invitation>(response, 201);
}

export function connect(
  t: TestApp,
  guest: TestOrganization,
  hostId: string,
  invitationToken?: string | null,
  headers: Record<string, string> = {},
): Promise<Response> {
  const body =
    invitationToken === undefined
      ? { host_organization_id: hostId }
      : { host_organization_id: hostId, invitation_token: invitationToken };
  return send(t, guest, 'POST', '/host-connections', body, headers);
}

/** A new host and guest, connected through an invitation to the guest's e-mail. */
export async function connectedPair(
  t: TestApp,
): Promise<{ host: TestOrganization; guest: TestOrganization; invitation: Invitation }> {
  const host = await t.newOrganization();
  const guest = await t.newOrganization();
  const invitation = await invite(t, host, `guest-${guest.organization_id}@example.test`);
  await expectStatus(await connect(t, guest, host.organization_id, invitation.invitation_token), 201);
  return { host, guest, invitation };
}

/** Connects `guest` to `host` (both existing) with a fresh invitation. */
export async function connectTo(t: TestApp, host: TestOrganization, guest: TestOrganization): Promise<void> {
  const invitation = await invite(t, host, `guest-${guest.organization_id}@example.test`);
  await expectStatus(await connect(t, guest, host.organization_id, invitation.invitation_token), 201);
}

/**
 * The order the contract promises, computed here from the items themselves: by `value`
 * (nulls last in both directions), ties broken by `id`, both in `dir`.
 */
export function expectedOrder<T>(
  items: T[],
  value: (item: T) => string | number | null,
  id: (item: T) => string,
  dir: 'asc' | 'desc',
): T[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...items].sort((a, b) => {
    const [left, right] = [value(a), value(b)];
    if (left === null || right === null) {
      if (left !== right) return left === null ? 1 : -1;
    } else if (left !== right) {
      return (left < right ? -1 : 1) * sign;
    }
    return (id(a) < id(b) ? -1 : 1) * sign;
  });
}
