// The seed's flow end to end, as three organizations live it: the host invites the guest, the
// guest accepts, both see each other in their lists, the host asks for an action and the guest
// resolves it, the guest disconnects (no action can be asked then) and reconnects. The
// stranger invites the guest too, who accepts and disconnects: a disconnected pair for the
// matrix. Run again on the same deployment, acceptance answers 409 (the pair is connected
// from the last run), which is what the contract says, and the flow goes on from there.
import type { OperationId } from '../server/contract/document.js';
import { checkAnswer } from './check.js';
import { type CaseResult, type Finding, showRequest } from './findings.js';
import type { Requester, Send, World } from './world.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface FlowRoles {
  host: Requester;
  guest: Requester;
  stranger: Requester;
}

type Body = Record<string, unknown> & { items?: Record<string, unknown>[] };

export async function runFlow(world: World, send: Send, roles: FlowRoles): Promise<CaseResult[]> {
  const { host, guest, stranger } = roles;
  const cases: CaseResult[] = [];
  const id = (c: Requester) => c.organization.organization_id;

  /** One call, checked against the contract and against the statuses the flow expects. */
  async function step(
    name: string,
    caller: Requester,
    operationId: OperationId,
    request: { method: string; path: string; body?: unknown },
    expected: number[],
    expect?: (body: Body) => string | undefined,
  ): Promise<{ status: number; body: Body }> {
    const init = {
      method: request.method,
      headers: {
        Authorization: `Bearer ${caller.organization.token}`,
        'Requester-Organization-ID': id(caller),
        'Target-Organization-ID': id(caller),
        ...(request.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
    };
    const path = `/v1${request.path}`;
    const shown = showRequest(path, init);
    const answer = await checkAnswer(operationId, await send(path, init));
    const findings: Finding[] = answer.violations.map((v) => ({ operationId, ...v, request: shown }));
    const body = (typeof answer.body === 'object' && answer.body !== null ? answer.body : {}) as Body;
    if (!expected.includes(answer.status))
      findings.push({
        operationId,
        check: 'flow',
        message: `answered ${answer.status} ${JSON.stringify(answer.body)?.slice(0, 300)}; the flow expects ${expected.join(' or ')}`,
        request: shown,
      });
    else {
      const wrong = expect?.(body);
      if (wrong !== undefined) findings.push({ operationId, check: 'flow', message: wrong, request: shown });
    }
    if (answer.status < 300) world.harvest(caller, answer.body);
    cases.push({ suite: 'flow', name: `${cases.length + 1}. ${caller.role}: ${name}`, findings });
    return { status: answer.status, body };
  }
  const lists = (other: Requester, field: string) => (body: Body) =>
    body.items?.some((item) => item[field] === id(other))
      ? undefined
      : `the list does not show ${other.role} ${id(other)}`;

  const read = (caller: Requester) =>
    step(
      'reads its organization',
      caller,
      'getOrganization',
      { method: 'GET', path: `/organizations/${id(caller)}` },
      [200],
    );
  await read(host);
  const guestEmail = (await read(guest)).body.email;
  await read(stranger);
  const expired_at = new Date(Date.now() + 30 * DAY_MS).toISOString();

  /** An invitation from `inviter` accepted by the guest, or 409 when they are connected already. */
  const connect = async (inviter: Requester) => {
    const invitation = await step(
      'invites the guest',
      inviter,
      'createGuestInvitation',
      {
        method: 'POST',
        path: '/guest-invitations',
        body: { email: guestEmail, expired_at },
      },
      [201],
    );
    return step(
      `accepts ${inviter.role}'s invitation (409: connected by an earlier run)`,
      guest,
      'createHostConnection',
      {
        method: 'POST',
        path: '/host-connections',
        body: { host_organization_id: id(inviter), invitation_token: invitation.body.invitation_token },
      },
      [201, 409],
    );
  };
  const setStatus = (inviter: Requester, status: string) =>
    step(
      `sets its connection with ${inviter.role} ${status}`,
      guest,
      'updateHostConnection',
      {
        method: 'PATCH',
        path: `/host-connections/${id(inviter)}`,
        body: { status },
      },
      [200],
      (body) => (body.status === status ? undefined : `the connection is ${String(body.status)}, not ${status}`),
    );

  const accepted = await connect(host);
  if (accepted.status === 409) await setStatus(host, 'connected');
  await step(
    'lists its guest connections',
    host,
    'listGuestConnections',
    { method: 'GET', path: '/guest-connections?statuses=connected' },
    [200],
    lists(guest, 'guest_organization_id'),
  );
  await step(
    'lists its host connections',
    guest,
    'listHostConnections',
    { method: 'GET', path: '/host-connections?statuses=connected' },
    [200],
    lists(host, 'host_organization_id'),
  );
  await step(
    'lists its invitations',
    host,
    'listGuestInvitations',
    { method: 'GET', path: '/guest-invitations' },
    [200],
  );
  await step(
    'reads the guest connection',
    host,
    'getGuestConnection',
    { method: 'GET', path: `/guest-connections/${id(guest)}` },
    [200],
  );
  const action = await step(
    'asks the guest for an action',
    host,
    'createGuestConnectionAction',
    {
      method: 'POST',
      path: `/guest-connections/${id(guest)}/actions`,
      body: { action_type: 'analytics_request' },
    },
    [201],
  );
  await step(
    'lists its actions',
    guest,
    'listHostConnectionActions',
    { method: 'GET', path: `/host-connections/${id(host)}/actions` },
    [200],
    (body) =>
      body.items?.some((item) => item.id === action.body.id)
        ? undefined
        : `the list does not show the action ${String(action.body.id)}`,
  );
  await step(
    'resolves the action',
    guest,
    'resolveHostConnectionAction',
    {
      method: 'POST',
      path: `/host-connections/${id(host)}/actions/${String(action.body.id)}/resolution`,
    },
    [200],
  );
  await setStatus(host, 'disconnected');
  await step(
    'cannot ask a disconnected guest for an action',
    host,
    'createGuestConnectionAction',
    {
      method: 'POST',
      path: `/guest-connections/${id(guest)}/actions`,
      body: { action_type: 'documents_update_request' },
    },
    [409],
  );
  await setStatus(host, 'connected');
  await step(
    'sees the guest reconnected',
    host,
    'getGuestConnection',
    { method: 'GET', path: `/guest-connections/${id(guest)}` },
    [200],
    (body) => (body.status === 'connected' ? undefined : `the connection is ${String(body.status)}`),
  );
  await connect(stranger);
  await setStatus(stranger, 'disconnected');
  return cases;
}
