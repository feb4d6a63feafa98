// The contract suite: the same requests against every target, each response judged by the
// contract's own schemas.
//   mock     Prism's mock (started once by test/setup/prism.ts); it only checks shapes.
//   server   the real app in-process on PGlite.
//   proxy    the same app over HTTP behind `prism proxy --errors`, so Prism checks every real
//            response as well. It is started here, not in the global setup: it needs a live app
//            and store, which belong to this file's worker, and other files need neither.
//   postgres the real app in-process on PostgreSQL (TEST_DATABASE_URL).
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { loadContract, type OperationId } from '../../server/contract/document.js';
import type { ValidationError } from '../../server/contract/validation.js';
import type { ErrorCode } from '../../server/domain/problems.js';
import { contractValidators } from '../../conformance/check.js';
import { startPrism } from '../setup/prism.js';
import { createTestApp } from '../support/app.js';
import {
  atContractPaths,
  createContractClient,
  successStatus,
  validateResponse,
  type ContractClient,
  type Fetch,
} from '../support/contract.js';

/** An organization that can call the API (on the mock, any well-formed values). */
interface Party {
  id: string;
  email: string;
  clientId: string;
  clientSecret: string;
  token: string;
}

interface Target {
  /** `mock` answers from the contract's examples; `server` is the app; `proxy` is Prism in front of it. */
  kind: 'mock' | 'server' | 'proxy';
  baseUrl: string;
  fetch: Fetch;
  client: ContractClient;
  newParty(): Promise<Party>;
  stop(): Promise<void>;
}

interface TargetDefinition {
  name: string;
  /** Why this target cannot run here; the suite is then skipped with that reason in its title. */
  unavailable?: string;
  start(): Promise<Target>;
}

const uniqueEmail = (role: string): string => `${role}-${randomUUID().slice(0, 8)}@example.test`;

function target(
  kind: Target['kind'],
  baseUrl: string,
  fetch: Fetch,
  newParty: () => Promise<Party>,
  stop = async () => {},
): Target {
  return { kind, baseUrl, fetch, client: createContractClient(baseUrl, fetch), newParty, stop };
}

async function realApp(engine: 'pglite' | 'postgres') {
  const testApp = await createTestApp(engine);
  const newParty = async (): Promise<Party> => {
    const email = uniqueEmail('org');
    const organization = await testApp.newOrganization({ email });
    return {
      id: organization.organization_id,
      email,
      clientId: organization.client_id,
      clientSecret: organization.client_secret,
      token: organization.token,
    };
  };
  return { fetch: atContractPaths(async (request) => testApp.app.fetch(request)), newParty };
}

const targets: TargetDefinition[] = [
  {
    name: 'mock',
    async start() {
      const fake = async (): Promise<Party> => ({
        id: randomUUID(),
        email: uniqueEmail('org'),
        clientId: 'cli_mock',
        clientSecret: 'mock-secret',
        token: 'mock-token',
      });
      return target('mock', inject('prismMockUrl'), (request) => fetch(request), fake);
    },
  },
  {
    name: 'server (in-process, PGlite)',
    async start() {
      const app = await realApp('pglite');
      return target('server', 'http://app.test', app.fetch, app.newParty);
    },
  },
  {
    name: 'server over HTTP behind prism proxy --errors (PGlite)',
    async start() {
      const app = await realApp('pglite');
      const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
        const listening = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(listening));
      });
      const { port } = server.address() as AddressInfo;
      const proxy = await startPrism(['proxy', 'openapi.yaml', `http://127.0.0.1:${port}`, '--errors']);
      const stop = async () => {
        await proxy.stop();
        await new Promise((resolve) => server.close(resolve));
      };
      return target('proxy', proxy.url, (request) => fetch(request), app.newParty, stop);
    },
  },
  {
    name: 'server (in-process, PostgreSQL)',
    ...(process.env.TEST_DATABASE_URL ? {} : { unavailable: 'TEST_DATABASE_URL is not set' }),
    async start() {
      const app = await realApp('postgres');
      return target('server', 'http://app.test', app.fetch, app.newParty);
    },
  },
];

const asParty = (party: Party, targetId = party.id) => ({
  header: { 'Requester-Organization-ID': party.id, 'Target-Organization-ID': targetId },
});
const bearer = (party: Party) => ({ Authorization: `Bearer ${party.token}` });
const tomorrow = (): string => new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Throws with the answer when a step that builds the fixture fails, so the cause is visible. */
async function expectStatus<T>(step: string, result: { data?: T; response: Response }, status: number): Promise<T> {
  if (result.response.status !== status || result.data === undefined) {
    throw new Error(
      `${step}: expected ${status}, got ${result.response.status} ${await result.response.clone().text()}`,
    );
  }
  return result.data;
}

async function invite(t: Target, host: Party, email: string) {
  const result = await t.client.POST('/guest-invitations', {
    params: asParty(host),
    headers: bearer(host),
    body: { email, expired_at: tomorrow(), parent_organization_id: null },
  });
  return expectStatus('createGuestInvitation', result, 201);
}

async function openAction(
  t: Target,
  host: Party,
  guest: Party,
  action_type: 'documents_update_request' | 'analytics_request',
) {
  const result = await t.client.POST('/guest-connections/{guest_org_id}/actions', {
    params: { ...asParty(host), path: { guest_org_id: guest.id } },
    headers: bearer(host),
    body: { action_type },
  });
  return expectStatus('createGuestConnectionAction', result, 201);
}

/** A host and a guest connected through an accepted invitation, all made through the API. */
interface World {
  host: Party;
  guest: Party;
  invitationId: string;
}

async function buildWorld(t: Target): Promise<World> {
  const [host, guest] = await Promise.all([t.newParty(), t.newParty()]);
  const invitation = await invite(t, host, guest.email);
  const connected = await t.client.POST('/host-connections', {
    params: asParty(guest),
    headers: bearer(guest),
    body: { host_organization_id: host.id, invitation_token: invitation.invitation_token },
  });
  await expectStatus('createHostConnection', connected, 201);
  return { host, guest, invitationId: invitation.id };
}

type Recipe = (t: Target, w: World) => Promise<{ response: Response }>;

// A public address written as one (no DNS): registration accepts it, and no test sends to it.
const HOOK_URL = 'https://93.184.215.14/hooks';

async function newEndpoint(t: Target, party: Party) {
  const result = await t.client.POST('/webhook-endpoints', {
    params: asParty(party),
    headers: bearer(party),
    body: { url: HOOK_URL, event_types: ['guest_connection.created'], description: null },
  });
  return expectStatus('createWebhookEndpoint', result, 201);
}

/** An endpoint of a new host with one delivery: a guest connected to it. On the mock, any ids. */
async function newDelivery(t: Target): Promise<{ host: Party; endpointId: string; deliveryId: string }> {
  const host = await t.newParty();
  const endpoint = await newEndpoint(t, host);
  if (t.kind === 'mock') return { host, endpointId: endpoint.id, deliveryId: randomUUID() };
  const guest = await t.newParty();
  const invitation = await invite(t, host, guest.email);
  const connected = await t.client.POST('/host-connections', {
    params: asParty(guest),
    headers: bearer(guest),
    body: { host_organization_id: host.id, invitation_token: invitation.invitation_token },
  });
  await expectStatus('createHostConnection', connected, 201);
  const deliveries = await t.client.GET('/webhook-endpoints/{endpoint_id}/deliveries', {
    params: { ...asParty(host), path: { endpoint_id: endpoint.id } },
    headers: bearer(host),
  });
  const [delivery] = (await expectStatus('listWebhookDeliveries', deliveries, 200)).items;
  if (delivery === undefined) throw new Error('the connection made no delivery');
  return { host, endpointId: endpoint.id, deliveryId: delivery.id };
}

/** A valid request for every operation; the mapped type makes tsc refuse a missing one. */
const recipes: { [K in OperationId]: Recipe } = {
  createToken: (t, { guest }) =>
    t.client.POST('/oauth2/token', { body: { client_id: guest.clientId, client_secret: guest.clientSecret } }),
  getOrganization: (t, { guest, host }) =>
    // The guest scenario: the guest reads its connected host.
    t.client.GET('/organizations/{org_id}', {
      params: { ...asParty(guest, host.id), path: { org_id: host.id } },
      headers: bearer(guest),
    }),
  createGuestInvitation: (t, { host }) =>
    t.client.POST('/guest-invitations', {
      params: asParty(host),
      headers: bearer(host),
      body: { email: uniqueEmail('invitee'), expired_at: tomorrow() },
    }),
  listGuestInvitations: (t, { host }) =>
    t.client.GET('/guest-invitations', {
      params: { ...asParty(host), query: { order_by: 'created_at', limit: 10 } },
      headers: bearer(host),
    }),
  getGuestInvitation: (t, { host, invitationId }) =>
    t.client.GET('/guest-invitations/{invitation_id}', {
      params: { ...asParty(host), path: { invitation_id: invitationId } },
      headers: bearer(host),
    }),
  updateGuestInvitation: async (t, { host }) => {
    const invitation = await invite(t, host, uniqueEmail('invitee'));
    return t.client.PATCH('/guest-invitations/{invitation_id}', {
      params: { ...asParty(host), path: { invitation_id: invitation.id } },
      headers: bearer(host),
      body: { archived: true },
    });
  },
  createHostConnection: async (t, { guest }) => {
    const newHost = await t.newParty();
    const invitation = await invite(t, newHost, guest.email);
    return t.client.POST('/host-connections', {
      params: asParty(guest),
      headers: bearer(guest),
      body: { host_organization_id: newHost.id, invitation_token: invitation.invitation_token },
    });
  },
  listHostConnections: (t, { guest }) =>
    t.client.GET('/host-connections', {
      params: { ...asParty(guest), query: { statuses: ['connected'] } },
      headers: bearer(guest),
    }),
  getHostConnection: (t, { guest, host }) =>
    t.client.GET('/host-connections/{host_org_id}', {
      params: { ...asParty(guest), path: { host_org_id: host.id } },
      headers: bearer(guest),
    }),
  updateHostConnection: (t, { guest, host }) =>
    t.client.PATCH('/host-connections/{host_org_id}', {
      params: { ...asParty(guest), path: { host_org_id: host.id } },
      headers: bearer(guest),
      body: { archived: false },
    }),
  listHostConnectionActions: (t, { guest, host }) =>
    t.client.GET('/host-connections/{host_org_id}/actions', {
      params: { ...asParty(guest), path: { host_org_id: host.id }, query: { status: 'active' } },
      headers: bearer(guest),
    }),
  resolveHostConnectionAction: async (t, { guest, host }) => {
    const action = await openAction(t, host, guest, 'documents_update_request');
    return t.client.POST('/host-connections/{host_org_id}/actions/{action_id}/resolution', {
      params: { ...asParty(guest), path: { host_org_id: host.id, action_id: action.id } },
      headers: bearer(guest),
    });
  },
  listGuestConnections: (t, { host }) =>
    t.client.GET('/guest-connections', {
      params: { ...asParty(host), query: { statuses: ['connected', 'disconnected'], order_by: 'total_score' } },
      headers: bearer(host),
    }),
  getGuestConnection: (t, { guest, host }) =>
    t.client.GET('/guest-connections/{guest_org_id}', {
      params: { ...asParty(host), path: { guest_org_id: guest.id } },
      headers: bearer(host),
    }),
  updateGuestConnection: (t, { guest, host }) =>
    t.client.PATCH('/guest-connections/{guest_org_id}', {
      params: { ...asParty(host), path: { guest_org_id: guest.id } },
      headers: bearer(host),
      body: { archived: true },
    }),
  createGuestConnectionAction: (t, { guest, host }) =>
    t.client.POST('/guest-connections/{guest_org_id}/actions', {
      params: { ...asParty(host), path: { guest_org_id: guest.id } },
      headers: bearer(host),
      body: { action_type: 'analytics_request' },
    }),
  listGuestConnectionActions: (t, { guest, host }) =>
    t.client.GET('/guest-connections/{guest_org_id}/actions', {
      params: { ...asParty(host), path: { guest_org_id: guest.id }, query: { limit: 5 } },
      headers: bearer(host),
    }),
  createWebhookEndpoint: (t, { host }) =>
    t.client.POST('/webhook-endpoints', {
      params: asParty(host),
      headers: bearer(host),
      body: { url: HOOK_URL, event_types: ['guest_connection.created', 'connection_action.resolved'] },
    }),
  listWebhookEndpoints: (t, { host }) =>
    t.client.GET('/webhook-endpoints', { params: { ...asParty(host), query: { limit: 5 } }, headers: bearer(host) }),
  getWebhookEndpoint: async (t, { host }) => {
    const endpoint = await newEndpoint(t, host);
    return t.client.GET('/webhook-endpoints/{endpoint_id}', {
      params: { ...asParty(host), path: { endpoint_id: endpoint.id } },
      headers: bearer(host),
    });
  },
  updateWebhookEndpoint: async (t, { host }) => {
    const endpoint = await newEndpoint(t, host);
    return t.client.PATCH('/webhook-endpoints/{endpoint_id}', {
      params: { ...asParty(host), path: { endpoint_id: endpoint.id } },
      headers: bearer(host),
      body: { enabled: false, description: 'paused' },
    });
  },
  deleteWebhookEndpoint: async (t, { host }) => {
    const endpoint = await newEndpoint(t, host);
    return t.client.DELETE('/webhook-endpoints/{endpoint_id}', {
      params: { ...asParty(host), path: { endpoint_id: endpoint.id } },
      headers: bearer(host),
    });
  },
  createWebhookSecretRotation: async (t, { host }) => {
    const endpoint = await newEndpoint(t, host);
    return t.client.POST('/webhook-endpoints/{endpoint_id}/secret-rotations', {
      params: { ...asParty(host), path: { endpoint_id: endpoint.id } },
      headers: bearer(host),
      body: { grace_period_seconds: 60 },
    });
  },
  listWebhookDeliveries: async (t) => {
    const { host, endpointId } = await newDelivery(t);
    return t.client.GET('/webhook-endpoints/{endpoint_id}/deliveries', {
      params: { ...asParty(host), path: { endpoint_id: endpointId }, query: { status: 'pending' } },
      headers: bearer(host),
    });
  },
  createWebhookDeliveryRetry: async (t) => {
    const { host, endpointId, deliveryId } = await newDelivery(t);
    return t.client.POST('/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/retries', {
      params: { ...asParty(host), path: { endpoint_id: endpointId, delivery_id: deliveryId } },
      headers: bearer(host),
    });
  },
  getHealth: (t) => t.client.GET('/healthz'),
  getReadiness: (t) => t.client.GET('/readyz'),
  getApiReference: (t) => t.client.GET('/docs', { parseAs: 'text' }),
  getApiReferenceScript: (t) => t.client.GET('/docs/scalar.js', { parseAs: 'text' }),
  getContractJson: (t) => t.client.GET('/openapi.json'),
  getContractYaml: (t) => t.client.GET('/openapi.yaml', { parseAs: 'text' }),
  getMetrics: (t) => t.client.GET('/metrics', { parseAs: 'text' }),
};

const operationIds = loadContract().operations.map((o) => o.operationId);

test('every operation of the contract has a valid-request recipe, and no recipe is left over', () => {
  expect(Object.keys(recipes).sort()).toEqual([...operationIds].sort());
});

/** One invalid (or boundary) request to POST /host-connections and what the server must answer. */
interface CreateHostConnectionCase {
  name: string;
  headers?: (headers: Record<string, string>) => Record<string, string>;
  /** A JSON value to send, or raw text when it is a string. */
  body: (hostId: string) => unknown;
  server: { status: number; code: ErrorCode; error?: Pick<ValidationError, 'location' | 'pointer'> };
  /** A request the schema allows (e.g. a boundary): the mock answers 201, the server judges it by the rules. */
  shapeValid?: true;
  /** Prism answers this one with its own body, outside the contract (docs/prism-gaps.md). */
  prismOwnBody?: true;
}

const without = (name: string) => (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).filter(([key]) => key !== name));
const withHeader = (name: string, value: string) => (headers: Record<string, string>) => ({
  ...headers,
  [name]: value,
});
const invalidBody = (pointer: string) => ({
  status: 422,
  code: 'validation_failed' as const,
  error: { location: 'body' as const, pointer },
});
const invalidHeader = (pointer: string) => ({
  status: 422,
  code: 'validation_failed' as const,
  error: { location: 'header' as const, pointer },
});
const token = (length: number) => 't'.repeat(length);
const hostOnly = (id: string) => ({ host_organization_id: id });
const withToken = (invitation_token: unknown) => (id: string) => ({ host_organization_id: id, invitation_token });

const createHostConnectionCases: CreateHostConnectionCase[] = [
  {
    name: 'host_organization_id missing',
    body: () => ({ invitation_token: null }),
    server: invalidBody('/host_organization_id'),
  },
  {
    name: 'host_organization_id not a uuid',
    body: () => ({ host_organization_id: 'not-a-uuid' }),
    server: invalidBody('/host_organization_id'),
  },
  {
    name: 'host_organization_id as urn:uuid',
    body: (id) => ({ host_organization_id: `urn:uuid:${id}` }),
    server: invalidBody('/host_organization_id'),
  },
  {
    name: 'host_organization_id a number',
    body: () => ({ host_organization_id: 42 }),
    server: invalidBody('/host_organization_id'),
  },
  {
    name: 'host_organization_id null',
    body: () => ({ host_organization_id: null }),
    server: invalidBody('/host_organization_id'),
  },
  { name: 'invitation_token of 9 characters', body: withToken(token(9)), server: invalidBody('/invitation_token') },
  {
    name: 'invitation_token of 2001 characters',
    body: withToken(token(2001)),
    server: invalidBody('/invitation_token'),
  },
  { name: 'invitation_token a number', body: withToken(1234567890), server: invalidBody('/invitation_token') },
  {
    name: 'invitation_token with a NUL',
    body: withToken('abcdefghij\u0000'),
    server: invalidBody('/invitation_token'),
  },
  {
    name: 'invitation_token with a character never issued',
    body: withToken('abcdefghij k'),
    server: invalidBody('/invitation_token'),
  },
  {
    name: 'an unknown property',
    body: (id) => ({ host_organization_id: id, extra: true }),
    server: invalidBody('/extra'),
  },
  {
    name: 'Requester-Organization-ID missing',
    headers: without('Requester-Organization-ID'),
    body: hostOnly,
    server: invalidHeader('Requester-Organization-ID'),
  },
  {
    name: 'Requester-Organization-ID not a uuid',
    headers: withHeader('Requester-Organization-ID', 'org-1'),
    body: hostOnly,
    server: invalidHeader('Requester-Organization-ID'),
  },
  {
    name: 'Target-Organization-ID missing',
    headers: without('Target-Organization-ID'),
    body: hostOnly,
    server: invalidHeader('Target-Organization-ID'),
  },
  {
    name: 'Target-Organization-ID not a uuid',
    headers: withHeader('Target-Organization-ID', '12345'),
    body: hostOnly,
    server: invalidHeader('Target-Organization-ID'),
  },
  {
    name: 'Idempotency-Key of 256 characters',
    headers: withHeader('Idempotency-Key', 'k'.repeat(256)),
    body: hostOnly,
    server: invalidHeader('Idempotency-Key'),
  },
  {
    name: 'no Authorization',
    headers: without('Authorization'),
    body: hostOnly,
    server: { status: 401, code: 'invalid_token' },
  },
  {
    name: 'a body that is not JSON',
    body: () => '{"host_organization_id": ',
    server: { status: 400, code: 'malformed_json' },
    prismOwnBody: true,
  },
  {
    name: 'invitation_token null (allowed)',
    body: withToken(null),
    server: { status: 422, code: 'no_matching_invitation' },
    shapeValid: true,
  },
  {
    name: 'invitation_token of 10 characters (boundary)',
    body: withToken(token(10)),
    server: { status: 404, code: 'invitation_not_found' },
    shapeValid: true,
  },
  {
    name: 'invitation_token of 2000 characters (boundary)',
    body: withToken(token(2000)),
    server: { status: 404, code: 'invitation_not_found' },
    shapeValid: true,
  },
];

for (const definition of targets) {
  const title = definition.unavailable ? `${definition.name} (skipped: ${definition.unavailable})` : definition.name;
  describe.skipIf(definition.unavailable !== undefined)(`contract on ${title}`, () => {
    let t: Target;
    let world: World;
    beforeAll(async () => {
      // Compiled first: it takes seconds on a busy machine, and the fixture's sockets left idle
      // that long meet Prism's 5 s keep-alive timeout just as the first test reuses them.
      contractValidators();
      t = await definition.start();
      world = await buildWorld(t);
    });
    afterAll(async () => {
      await t?.stop();
    });

    describe('every operation answers a valid request with its documented success', () => {
      test.each(operationIds)('%s', async (operationId) => {
        const { response } = await recipes[operationId](t, world);
        const checked = await validateResponse(operationId, response);
        expect({ status: checked.status, problems: checked.problems }, JSON.stringify(checked.body)).toEqual({
          status: successStatus(operationId),
          problems: [],
        });
      });
    });

    describe('POST /host-connections refuses what the contract refuses', () => {
      // An existing host the guest has no connection with, so the server gets past rules 1 and 2.
      let hostId: string;
      beforeAll(async () => {
        hostId = (await t.newParty()).id;
      });

      test.each(createHostConnectionCases)('$name', async (c) => {
        const base = { ...bearer(world.guest), ...asParty(world.guest).header, 'Content-Type': 'application/json' };
        const body = c.body(hostId);
        const response = await t.fetch(
          new Request(`${t.baseUrl}/host-connections`, {
            method: 'POST',
            headers: c.headers ? c.headers(base) : base,
            body: typeof body === 'string' ? body : JSON.stringify(body),
          }),
        );
        const checked = await validateResponse('createHostConnection', response);
        const context = JSON.stringify(checked.body);
        if (c.shapeValid && t.kind === 'mock') {
          expect({ status: checked.status, problems: checked.problems }, context).toEqual({
            status: 201,
            problems: [],
          });
          return;
        }
        expect(checked.status, context).toBe(c.server.status);
        if (c.prismOwnBody && t.kind !== 'server') return; // Prism's own 400, outside the contract
        if (t.kind === 'proxy' && !c.shapeValid) {
          // Prism must have refused it itself (its own problem type), not passed it on.
          expect(checked.body, context).toMatchObject({
            type: expect.stringMatching(/^https:\/\/stoplight\.io\/prism\/errors#/),
          });
          return;
        }
        expect(checked.problems, context).toEqual([]);
        if (t.kind === 'mock') return; // the mock's bodies are the contract's static examples
        expect(checked.body, context).toMatchObject({ status: c.server.status, code: c.server.code });
        if (c.server.error)
          expect(checked.body, context).toMatchObject({
            errors: expect.arrayContaining([expect.objectContaining(c.server.error)]),
          });
        if (c.server.status === 401) expect(response.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
      });
    });
  });
}
