// The authorization matrix (conformance/matrix.ts, the one `connections-api-conformance` runs)
// on the app over each database, with what only the owner of the server can add: tokens
// signed with its key (expired; malleable spellings of a valid one), a revoked client's token,
// and a check that no refused call changes a row of any table.
import { sign } from 'hono/jwt';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingText } from '../../conformance/findings.js';
import { createMatrix, type Matrix, tokenCases } from '../../conformance/matrix.js';
import { World, type Requester } from '../../conformance/world.js';
import { loadContract } from '../../server/contract/document.js';
import { revokeClient } from '../../server/domain/admin.js';
import type { Store } from '../../server/store/database.js';
import { TEST_JWT_SECRET, testAppOn, type TestApp } from '../support/app.js';
import { openTestStore } from '../support/database.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-database.js';
import { changedTables, snapshotTables } from '../support/snapshot.js';

const contract = loadContract();
const REQUESTER = 'Requester-Organization-ID';
const TARGET = 'Target-Organization-ID';
const databaseUrl = process.env.TEST_DATABASE_URL;

const targets = [
  { engine: 'pglite', skip: undefined },
  { engine: 'postgres', skip: databaseUrl ? undefined : 'TEST_DATABASE_URL is not set' },
] as const;

describe.each(targets)('the authorization matrix on $engine', ({ engine, skip }) => {
  let scratch: ScratchDatabase | undefined;
  let store: Store;
  let t: TestApp;
  let matrix: Matrix;

  beforeAll(async () => {
    if (skip !== undefined) return;
    if (engine === 'postgres') scratch = await createScratchDatabase(databaseUrl ?? '', 'connections_matrix');
    store = scratch === undefined ? await openTestStore('pglite') : await scratch.store();
    t = testAppOn(store);
    const world = new World(t.request);
    const make = async (role: string) => {
      const name = `Matrix ${role} ${randomUUID().slice(0, 8)}`;
      return world.addOrganization(await t.newOrganization({ name }), name, role) as Requester;
    };
    // The host first: harvested strings (client ids and secrets) are picked by index 0.
    const host = await make('host');
    const [guest, former, stranger, revoked] = (await Promise.all(
      ['guest', 'former guest', 'stranger', 'revoked'].map(make),
    )) as [Requester, Requester, Requester, Requester];
    const [foreignHost, foreignGuest] = (await Promise.all(['foreign host', 'foreign guest'].map(make))) as [
      Requester,
      Requester,
    ];
    const expiredAt = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString();
    const connect = async (h: Requester, g: Requester) => {
      const invitation = (await world.send(h, 'POST', '/guest-invitations', {
        email: `${g.role.replace(/ /g, '-')}@example.test`,
        expired_at: expiredAt,
      })) as { invitation_token: string };
      await world.send(g, 'POST', '/host-connections', {
        host_organization_id: h.organization.organization_id,
        invitation_token: invitation.invitation_token,
      });
    };
    const act = async (h: Requester, g: Requester) => {
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
    const expired = await sign({ ...claims, iat: now - 7200, exp: now - 3600 }, TEST_JWT_SECRET, 'HS256');
    matrix = createMatrix({
      world,
      send: t.request,
      roles: { host, guest, stranger, disconnected: { caller: host, target: former.organization.organization_id } },
      tokenCases: [
        ...tokenCases(valid),
        { name: 'expired', variants: [['expired an hour ago', `Bearer ${expired}`]] },
        { name: 'revoked client', variants: [['a revoked client’s token', `Bearer ${revoked.organization.token}`]] },
      ],
      watch: async () => {
        const before = await snapshotTables(store.db);
        return async () => changedTables(before, await snapshotTables(store.db));
      },
    });
  }, 120_000);

  afterAll(async () => {
    await scratch?.drop();
  });

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
      const cells = await matrix.cells();
      const secured = contract.operations.filter((o) => o.secured).map((o) => o.operationId as string);
      const reached = matrix.reached().filter((id) => secured.includes(id));
      console.log(
        `authorization matrix on ${engine}: ${contract.operations.length} operations × ${matrix.caseNames.length} cases = ${cells.length} cells, ${matrix.requests()} requests; ` +
          `allowed scenarios reached a 2xx for ${reached.length} of ${secured.length} secured operations (not: ${secured
            .filter((id) => !reached.includes(id))
            .join(', ')})`,
      );
      expect(cells.flatMap((c) => c.findings.map((f) => `${c.name}: ${findingText(f)}`))).toEqual([]);
      expect(matrix.caseNames).toEqual(expect.arrayContaining(['expired', 'revoked client', 'malformed', 'guest']));
      expect(cells.length).toBe(contract.operations.length * matrix.caseNames.length);
    },
    120_000,
  );

  it.skipIf(skip !== undefined)(
    `answers for another organization's record exactly as for a missing one${skip ? ` (skipped: ${skip})` : ''}`,
    async () => {
      const { cases, comparisons } = await matrix.foreignRecords();
      console.log(
        `records of other organizations on ${engine}: ${comparisons} answers compared with a missing id's, over ${cases.length} operations`,
      );
      expect(cases.flatMap((c) => c.findings.map(findingText))).toEqual([]);
      expect(comparisons).toBeGreaterThan(cases.length);
    },
    120_000,
  );
});
