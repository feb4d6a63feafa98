// The authorization matrix, generated from the contract: every operation × every way to call
// it (no token, malformed or malleable ones, another key, expired, alg none, a revoked client,
// a requester header that is not the token's organization, an unrelated or a disconnected
// target, and the Self, Host and Guest scenarios) gets the status its x-scenarios demand, and
// a refused call changes no row. Then every operation that names a record by id answers for
// another organization's record exactly as for one that does not exist.
import { sign } from 'hono/jwt';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContract, type ContractOperation, type Scenario } from '../../server/contract/document.js';
import { revokeClient } from '../../server/domain/admin.js';
import type { Store } from '../../server/store/database.js';
import { TEST_JWT_SECRET, testAppOn, type TestApp } from '../support/app.js';
import { validateResponse } from '../support/contract.js';
import { openTestStore } from '../support/database.js';
import { IdRef, schemaValues, type Value } from '../support/schema-values.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-database.js';
import { changedTables, snapshotTables } from '../support/snapshot.js';
import { UUIDS } from '../support/uuid.js';
import { World, type Caller } from '../support/world.js';

const contract = loadContract();
const values = schemaValues({ components: { schemas: contract.schemas } });
const REQUESTER = 'Requester-Organization-ID';
const TARGET = 'Target-Organization-ID';
/** Assignments of ids to an operation's uuid slots tried per scenario before settling for a non-2xx answer. */
const MAX_TRIES = 40;
const databaseUrl = process.env.TEST_DATABASE_URL;

const TOKEN_CASES = ['no token', 'malformed', 'another key', 'expired', 'alg none', 'revoked client'] as const;
const HEADER_CASES = ['requester mismatch', 'unrelated target', 'disconnected counterpart'] as const;
const SCENARIOS: Scenario[] = ['self', 'host', 'guest'];
const CASES = [...TOKEN_CASES, ...HEADER_CASES, ...SCENARIOS];
type Case = (typeof CASES)[number];

/** An operation's required inputs as one template, its uuids numbered as slots in order. */
interface Template {
  params: [string, Value][];
  body: { mediaType: string; value: Value } | undefined;
  slots: number;
}

function templateOf(operation: ContractOperation): Template {
  let slots = 0;
  const renumber = (value: Value): Value => {
    if (value instanceof IdRef) return new IdRef('caller', slots++);
    if (Array.isArray(value)) return value.map(renumber);
    if (value !== null && typeof value === 'object' && value.constructor === Object) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renumber(v)]));
    }
    return value;
  };
  const params = operation.parameters
    .filter((p) => p.required && p.name !== REQUESTER && p.name !== TARGET)
    .map((p): [string, Value] => [p.name, renumber(values.exemplar(p.schema, p.name))]);
  const [mediaType, schema] = Object.entries(operation.requestBody.content)[0] ?? [];
  const body =
    mediaType === undefined || schema === undefined
      ? undefined
      : { mediaType, value: renumber(values.exemplar(schema)) };
  return { params, body, slots };
}

interface Call {
  caller: Caller;
  target: string;
  /** The Authorization header; the caller's own token when absent, none when null. */
  authorization?: string | null;
  requester?: string;
}

/** Every way to fill `count` slots from `candidates`, in order, at most `limit`. */
function assignments(candidates: string[], count: number, limit: number): string[][] {
  const out: string[][] = [];
  const walk = (prefix: string[]) => {
    if (out.length >= limit) return;
    if (prefix.length === count) out.push(prefix);
    else for (const candidate of candidates) walk([...prefix, candidate]);
  };
  walk([]);
  return out;
}

const masked = (text: string) => text.replace(UUIDS, '<id>');

const targets = [
  { engine: 'pglite', skip: undefined },
  { engine: 'postgres', skip: databaseUrl ? undefined : 'TEST_DATABASE_URL is not set' },
] as const;

describe.each(targets)('the authorization matrix on $engine', ({ engine, skip }) => {
  let scratch: ScratchDatabase | undefined;
  let store: Store;
  let t: TestApp;
  let world: World;
  let host: Caller;
  let guest: Caller;
  let former: Caller;
  let stranger: Caller;
  let revoked: Caller;
  /** The Authorization headers of each token case (several for the malformed one), by what is wrong with them. */
  let badTokens: Record<(typeof TOKEN_CASES)[number], [string, string | null][]>;
  let requests = 0;

  beforeAll(async () => {
    if (skip !== undefined) return;
    if (engine === 'postgres') scratch = await createScratchDatabase(databaseUrl ?? '', 'connections_matrix');
    store = scratch === undefined ? await openTestStore('pglite') : await scratch.store();
    t = testAppOn(store);
    world = new World(t);
    const make = async (role: string) => {
      const name = `Matrix ${role} ${randomUUID().slice(0, 8)}`;
      return world.addOrganization(await t.newOrganization({ name }), name, role) as Caller;
    };
    // The host first: harvested strings (client ids and secrets) are picked by index 0.
    host = await make('host');
    [guest, former, stranger, revoked] = (await Promise.all(
      ['guest', 'former guest', 'stranger', 'revoked'].map(make),
    )) as [Caller, Caller, Caller, Caller];
    const [foreignHost, foreignGuest] = (await Promise.all(['foreign host', 'foreign guest'].map(make))) as [
      Caller,
      Caller,
    ];
    const expiredAt = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString();
    const connect = async (h: Caller, g: Caller) => {
      const invitation = (await world.send(h, 'POST', '/guest-invitations', {
        email: `${g.role.replace(/ /g, '-')}@example.test`,
        expired_at: expiredAt,
      })) as { invitation_token: string };
      await world.send(g, 'POST', '/host-connections', {
        host_organization_id: h.organization.organization_id,
        invitation_token: invitation.invitation_token,
      });
    };
    const act = async (h: Caller, g: Caller) => {
      await world.send(h, 'POST', `/guest-connections/${g.organization.organization_id}/actions`, {
        action_type: 'analytics_request',
      });
      await world.send(g, 'GET', `/host-connections/${h.organization.organization_id}/actions`);
    };
    await connect(host, guest);
    await connect(host, former);
    await world.send(former, 'PATCH', `/host-connections/${host.organization.organization_id}`, {
      status: 'disconnected',
    });
    await connect(foreignHost, foreignGuest);
    await act(host, guest);
    await act(foreignHost, foreignGuest);
    await world.send(stranger, 'POST', '/guest-invitations', { email: 'someone@example.test', expired_at: expiredAt });
    // What the host owns, as its lists show it: the disconnected guest too.
    await world.send(host, 'GET', '/guest-connections?statuses=connected&statuses=disconnected');
    await revokeClient(store, revoked.organization.client_id);

    const now = Math.floor(Date.now() / 1000);
    const claims = {
      sub: host.organization.client_id,
      org: host.organization.organization_id,
      iat: now,
      exp: now + 600,
      jti: randomUUID(),
    };
    // A valid token whose signature has a `-` or `_`, so that the +/ variant differs from it.
    let valid = await sign(claims, TEST_JWT_SECRET, 'HS256');
    while (!/[-_]/.test(valid.split('.')[2] ?? ''))
      valid = await sign({ ...claims, jti: randomUUID() }, TEST_JWT_SECRET, 'HS256');
    const [header, payload, signature = ''] = valid.split('.');
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    badTokens = {
      'no token': [['no Authorization header', null]],
      malformed: [
        ['no token after the scheme', 'Bearer'],
        ['not a JWT', 'Bearer not.a.token'],
        ['no signature part', `Bearer ${header}.${payload}`],
        // Malleable: the same signature bytes, written otherwise. A token is one exact string.
        ['signature with = padding', `Bearer ${valid}=`],
        ['signature with == padding', `Bearer ${valid}==`],
        ['signature with a ~ inside', `Bearer ${header}.${payload}.${signature.slice(0, 10)}~${signature.slice(10)}`],
        ['signature in +/ base64', `Bearer ${header}.${payload}.${signature.replace(/-/g, '+').replace(/_/g, '/')}`],
      ],
      'another key': [
        [
          'signed with another key',
          `Bearer ${await sign(claims, 'another-secret-another-secret-another-secret', 'HS256')}`,
        ],
      ],
      expired: [
        [
          'expired an hour ago',
          `Bearer ${await sign({ ...claims, iat: now - 7200, exp: now - 3600 }, TEST_JWT_SECRET, 'HS256')}`,
        ],
      ],
      'alg none': [['alg none, no signature', `Bearer ${none}.${payload}.`]],
      'revoked client': [['a revoked client’s token', `Bearer ${revoked.organization.token}`]],
    };
  }, 120_000);

  afterAll(async () => {
    await scratch?.drop();
  });

  async function call(operation: ContractOperation, template: Template, slots: string[], c: Call): Promise<Response> {
    const now = Date.now();
    const fill = (value: Value): unknown => {
      if (value instanceof IdRef) return slots[value.index];
      if (Array.isArray(value)) return value.map(fill);
      if (value !== null && typeof value === 'object' && value.constructor === Object) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
      }
      return world.resolve(c.caller, value, now);
    };
    const headers = new Headers({
      [REQUESTER]: c.requester ?? c.caller.organization.organization_id,
      [TARGET]: c.target,
    });
    const authorization = c.authorization === undefined ? `Bearer ${c.caller.organization.token}` : c.authorization;
    if (authorization !== null) headers.set('Authorization', authorization);
    const query = new URLSearchParams();
    let path = operation.path;
    for (const [name, value] of template.params) {
      const filled = fill(value);
      const where = operation.parameters.find((p) => p.name === name)?.in;
      if (where === 'path') path = path.replace(`{${name}}`, encodeURIComponent(String(filled)));
      else if (where === 'query') for (const v of [filled].flat()) query.append(name, String(v));
      else if (where === 'header') headers.set(name, String(filled));
    }
    let body: string | undefined;
    if (template.body !== undefined) {
      headers.set('Content-Type', template.body.mediaType);
      const filled = fill(template.body.value) as Record<string, string>;
      body =
        template.body.mediaType === 'application/x-www-form-urlencoded'
          ? new URLSearchParams(filled).toString()
          : JSON.stringify(filled);
    }
    requests++;
    const search = query.toString();
    return t.app.request(`${operation.basePath}${path}${search === '' ? '' : `?${search}`}`, {
      method: operation.method.toUpperCase(),
      headers,
      body,
    });
  }

  /** What is wrong with an answer beyond its status: the contract's verdict on it. */
  async function contractProblems(
    operation: ContractOperation,
    response: Response,
  ): Promise<{ status: number; code: string | undefined; problems: string[] }> {
    const checked = await validateResponse(operation.operationId, response);
    const problems = [...checked.problems];
    if (checked.status >= 500) problems.push(`answered ${checked.status}`);
    return { status: checked.status, code: (checked.body as { code?: string } | undefined)?.code, problems };
  }

  const templates = new Map(contract.operations.map((op) => [op.operationId, templateOf(op)]));
  /** Per operation: the caller and ids that got a 2xx in the Self scenario (or the first tried). */
  const working = new Map<string, { caller: Caller; slots: string[]; success: boolean }>();

  /** The scenario's calls, with ids from what the caller can see, until one answers 2xx. */
  async function allowedCell(operation: ContractOperation, callers: [Caller, string][]): Promise<string[]> {
    const template = templates.get(operation.operationId) as Template;
    const failures: string[] = [];
    for (const [caller, target] of callers) {
      for (const slots of assignments(caller.ids, template.slots, MAX_TRIES)) {
        const response = await call(operation, template, slots, { caller, target });
        const { status, problems } = await contractProblems(operation, response);
        if (status === 401 || status === 403) problems.push(`an allowed scenario answered ${status}`);
        failures.push(...problems.map((p) => `${caller.role} → ${slots.join(', ')}: ${p}`));
        if (!working.has(operation.operationId) || (status < 300 && !working.get(operation.operationId)?.success)) {
          working.set(operation.operationId, { caller, slots, success: status < 300 });
        }
        if (status < 300) return failures;
      }
    }
    return failures;
  }

  /** One call, refused with this status and code, that changes nothing. */
  async function refusedCell(
    operation: ContractOperation,
    c: Partial<Call>,
    status: number,
    code: string,
  ): Promise<string[]> {
    const template = templates.get(operation.operationId) as Template;
    const slots = working.get(operation.operationId)?.slots ?? assignments(host.ids, template.slots, 1)[0] ?? [];
    const before = await snapshotTables(store.db);
    const response = await call(operation, template, slots, {
      caller: host,
      target: host.organization.organization_id,
      ...c,
    });
    const challenge = response.headers.get('www-authenticate');
    const answer = await contractProblems(operation, response);
    const failures = [...answer.problems];
    if (answer.status !== status || answer.code !== code)
      failures.push(`answered ${answer.status} ${answer.code}, not ${status} ${code}`);
    if (status === 401 && answer.status === 401 && !challenge?.startsWith('Bearer'))
      failures.push(`401 without a Bearer challenge (${challenge})`);
    const changed = changedTables(before, await snapshotTables(store.db));
    if (changed.length > 0) failures.push(`changed rows: ${changed.join('; ')}`);
    return failures.length === 0 ? [] : [failures.join('; ')];
  }

  it.skipIf(skip !== undefined)(
    `requires both organization headers on every secured operation${skip ? ` (skipped: ${skip})` : ''}`,
    () => {
      const secured = contract.operations.filter((op) => op.secured);
      expect(secured.length).toBeGreaterThan(10);
      for (const op of secured) {
        const required = op.parameters.filter((p) => p.in === 'header' && p.required).map((p) => p.name);
        expect(required, op.operationId).toEqual(expect.arrayContaining([REQUESTER, TARGET]));
      }
    },
  );

  it.skipIf(skip !== undefined)(
    `answers every operation × caller cell as the contract demands${skip ? ` (skipped: ${skip})` : ''}`,
    async () => {
      const failures: string[] = [];
      const reached: string[] = [];
      let cells = 0;
      const self = (c: Caller): [Caller, string] => [c, c.organization.organization_id];
      /** How each case differs from the host calling on its own behalf. */
      const variant = (name: Case): Partial<Call> => {
        if ((TOKEN_CASES as readonly string[]).includes(name))
          return { authorization: badTokens[name as (typeof TOKEN_CASES)[number]][0]?.[1] ?? null };
        if (name === 'requester mismatch') return { requester: guest.organization.organization_id };
        if (name === 'unrelated target') return { target: stranger.organization.organization_id };
        if (name === 'disconnected counterpart') return { target: former.organization.organization_id };
        if (name === 'host') return { target: guest.organization.organization_id };
        if (name === 'guest') return { caller: guest, target: host.organization.organization_id };
        return {};
      };
      for (const operation of contract.operations) {
        const cell = async (name: Case, run: () => Promise<string[]>) => {
          cells++;
          failures.push(...(await run()).map((f) => `${operation.operationId} × ${name}: ${f}`));
        };
        if (!operation.secured) {
          // Public: every way of calling it gets the answer a plain call gets.
          await cell('self', () => allowedCell(operation, [self(host)]));
          const plain = working.get(operation.operationId) as { slots: string[] };
          const template = templates.get(operation.operationId) as Template;
          for (const name of CASES.filter((c) => c !== 'self')) {
            await cell(name, async () => {
              const response = await call(operation, template, plain.slots, {
                caller: host,
                target: host.organization.organization_id,
                ...variant(name),
              });
              const answer = await contractProblems(operation, response);
              return [
                ...answer.problems,
                ...(answer.status >= 300 ? [`a public operation answered ${answer.status}`] : []),
              ];
            });
          }
          continue;
        }
        // The scenarios first: they find ids that reach the handler, which the refusals reuse.
        const scenarioCallers: Record<Scenario, [Caller, string][]> = {
          self: [self(host), self(guest)],
          host: [[host, guest.organization.organization_id]],
          guest: [[guest, host.organization.organization_id]],
        };
        for (const scenario of SCENARIOS) {
          await cell(scenario, () =>
            operation.scenarios.includes(scenario)
              ? allowedCell(operation, scenarioCallers[scenario])
              : refusedCell(operation, variant(scenario), 403, 'scenario_not_allowed'),
          );
        }
        if (working.get(operation.operationId)?.success) reached.push(operation.operationId);
        for (const name of TOKEN_CASES) {
          await cell(name, async () => {
            const all: string[] = [];
            for (const [label, authorization] of badTokens[name]) {
              const found = await refusedCell(operation, { authorization }, 401, 'invalid_token');
              if (found.length > 0) all.push(`${label}: ${found.join('; ')}`);
            }
            return all;
          });
        }
        await cell('requester mismatch', () =>
          refusedCell(operation, variant('requester mismatch'), 403, 'requester_mismatch'),
        );
        for (const name of ['unrelated target', 'disconnected counterpart'] as const) {
          await cell(name, () => refusedCell(operation, variant(name), 403, 'not_connected'));
        }
      }
      console.log(
        `authorization matrix on ${engine}: ${contract.operations.length} operations × ${CASES.length} cases = ${cells} cells, ${requests} requests; ` +
          `allowed scenarios reached a 2xx for ${reached.length} of ${contract.operations.filter((o) => o.secured).length} secured operations (not: ${contract.operations
            .filter((o) => o.secured && !reached.includes(o.operationId))
            .map((o) => o.operationId)
            .join(', ')})`,
      );
      expect(failures).toEqual([]);
      expect(cells).toBe(contract.operations.length * CASES.length);
    },
    120_000,
  );

  it.skipIf(skip !== undefined)(
    `answers for another organization's record exactly as for a missing one${skip ? ` (skipped: ${skip})` : ''}`,
    async () => {
      const failures: string[] = [];
      let comparisons = 0;
      const withPathIds = contract.operations.filter((op) => op.secured && op.parameters.some((p) => p.in === 'path'));
      for (const operation of withPathIds) {
        const template = templates.get(operation.operationId) as Template;
        const base = working.get(operation.operationId);
        if (base === undefined)
          throw new Error(`the matrix test runs first and finds ids for ${operation.operationId}`);
        const { caller } = base;
        const visible = new Set(caller.ids);
        const foreign = world.ids.filter((id) => !visible.has(id));
        // Only the path's slots name the record; they come first in the template.
        const pathSlots = template.params.filter(
          ([name]) => operation.parameters.find((p) => p.name === name)?.in === 'path',
        ).length;
        for (let slot = 0; slot < pathSlots; slot++) {
          const answer = async (id: string) => {
            const slots = base.slots.map((s, i) => (i === slot ? id : s));
            const before = await snapshotTables(store.db);
            const response = await call(operation, template, slots, {
              caller,
              target: caller.organization.organization_id,
            });
            const text = await response.text();
            const changed = changedTables(before, await snapshotTables(store.db));
            return {
              shape: `${response.status} ${response.headers.get('content-type')} ${masked(text)}`,
              status: response.status,
              changed,
            };
          };
          const missing = await answer(randomUUID());
          if (missing.status !== 404)
            failures.push(`${operation.operationId}: a missing id in slot ${slot} answered ${missing.shape}`);
          for (const id of foreign) {
            comparisons++;
            const other = await answer(id);
            if (other.shape !== missing.shape)
              failures.push(
                `${operation.operationId} as ${caller.role}, slot ${slot} = ${id}: ${other.shape}\n  but a missing id: ${missing.shape}`,
              );
            if (other.changed.length > 0)
              failures.push(
                `${operation.operationId}: another organization's record changed: ${other.changed.join('; ')}`,
              );
          }
        }
      }
      console.log(
        `records of other organizations on ${engine}: ${comparisons} answers compared with a missing id's, over ${withPathIds.length} operations`,
      );
      expect(failures).toEqual([]);
      expect(comparisons).toBeGreaterThan(withPathIds.length);
    },
    120_000,
  );
});
