// How many statements the hot requests send, counted as PostgreSQL receives them: each simple
// Query and each extended-protocol Execute message is one (test/support/statements.ts). On PostgreSQL
// the store talks through the benchmark's counting proxy; PGlite has no wire, so the messages
// handed to it are parsed the same way. BEGIN and COMMIT count.
//
// POST /host-connections: at most 5 statements in its transaction, BEGIN and COMMIT included
// (4 without an Idempotency-Key). Outside it, the only other statement a request may send is
// the revocation lookup of an API client not yet cached (server/store/active-clients.ts).
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countStatements, frontendParser, statementRecorder, type StatementCounter } from '../support/statements.js';
import { openDatabase, openMemoryDatabase, type Store } from '../../server/store/database.js';
import { migrateToLatest } from '../../server/store/migrate.js';
import { testAppOn, type TestApp, type TestOrganization } from '../support/app.js';
import { engines, type Engine } from '../support/database.js';
import { invite } from '../domain/flows.js';

const MAX_CREATE_STATEMENTS = 5;
const REVOCATION_LOOKUP = 'select organization_id from api_clients where client_id = $1 and revoked_at is null';

type Counter = Pick<StatementCounter, 'take' | 'close'>;

/** Every message any PGlite of this process is handed, parsed as the proxy parses a connection's. */
function countPgliteStatements(): Counter {
  const prototype = PGlite.prototype as unknown as { execProtocolRawSync(message: Uint8Array): Uint8Array };
  const original = prototype.execProtocolRawSync;
  let sql: string[] = [];
  const parse = frontendParser(
    statementRecorder((text) => sql.push(text)),
    { startup: false },
  );
  prototype.execProtocolRawSync = function (this: PGlite, message: Uint8Array) {
    parse(Buffer.from(message.buffer, message.byteOffset, message.byteLength));
    return original.call(this, message);
  };
  return {
    take() {
      const taken = { count: sql.length, sql };
      sql = [];
      return taken;
    },
    async close() {
      prototype.execProtocolRawSync = original;
    },
  };
}

async function countingStore(engine: Engine): Promise<{ store: Store; counter: Counter }> {
  if (engine === 'pglite') {
    const counter = countPgliteStatements();
    const store = await openMemoryDatabase();
    await migrateToLatest(store.db);
    return { store, counter };
  }
  const url = new URL(process.env.TEST_DATABASE_URL ?? '');
  const counter = await countStatements({ host: url.hostname, port: Number(url.port || 5432) });
  url.port = String(counter.port);
  const store = await openDatabase({ databaseUrl: url.toString(), dataDir: '' });
  await migrateToLatest(store.db);
  return { store, counter };
}

const lower = (sql: string): string => sql.trim().toLowerCase();
const isBegin = (sql: string): boolean => ['begin', 'start transaction'].includes(lower(sql));
const isCommit = (sql: string): boolean => lower(sql) === 'commit';

describe.each(engines)('statements per request on %s', (engine) => {
  let t: TestApp;
  let store: Store;
  let counter: Counter;

  beforeAll(async () => {
    ({ store, counter } = await countingStore(engine));
    t = testAppOn(store);
  });

  afterAll(async () => {
    await store?.close();
    await counter?.close();
  });

  /** The statements `send` makes the server send, the revocation lookup apart. */
  async function statementsOf(send: () => Promise<Response>, status: number): Promise<string[]> {
    counter.take();
    const response = await send();
    expect(response.status, await response.text()).toBe(status);
    // The proxy parses what the store sends before it forwards it: by the answer, all is counted.
    return counter.take().sql.filter((sql) => sql !== REVOCATION_LOOKUP);
  }

  async function pair(): Promise<{ host: TestOrganization; guest: TestOrganization; token: string }> {
    const host = await t.newOrganization();
    const guest = await t.newOrganization();
    const invitation = await invite(t, host, `guest-${guest.organization_id}@example.test`);
    return { host, guest, token: invitation.invitation_token };
  }

  const post = (guest: TestOrganization, body: unknown, key?: string) => () =>
    t.request('/v1/host-connections', {
      method: 'POST',
      headers: {
        ...guest.headers(),
        'Content-Type': 'application/json',
        ...(key === undefined ? {} : { 'Idempotency-Key': key }),
      },
      body: JSON.stringify(body),
    });

  function expectOneTransaction(sql: string[], statements: number): void {
    expect(sql.length, sql.join('\n')).toBe(statements);
    expect(sql.length).toBeLessThanOrEqual(MAX_CREATE_STATEMENTS);
    expect(isBegin(sql[0] ?? ''), sql.join('\n')).toBe(true);
    expect(isCommit(sql.at(-1) ?? ''), sql.join('\n')).toBe(true);
  }

  it('POST /host-connections with a token: BEGIN, one read, one write, COMMIT', async () => {
    const { host, guest, token } = await pair();
    expectOneTransaction(
      await statementsOf(post(guest, { host_organization_id: host.organization_id, invitation_token: token }), 201),
      4,
    );
  });

  it('POST /host-connections by e-mail: the same four', async () => {
    const host = await t.newOrganization();
    const guest = await t.newOrganization();
    const email = `org-${guest.client_id}@example.test`;
    await t.store.db.updateTable('organizations').set({ email }).where('id', '=', guest.organization_id).execute();
    await invite(t, host, email);
    expectOneTransaction(await statementsOf(post(guest, { host_organization_id: host.organization_id }), 201), 4);
  });

  it('POST /host-connections with an Idempotency-Key: the key lock makes five; its replay needs no write', async () => {
    const { host, guest, token } = await pair();
    const body = { host_organization_id: host.organization_id, invitation_token: token };
    expectOneTransaction(await statementsOf(post(guest, body, 'count-key'), 201), 5);
    expectOneTransaction(await statementsOf(post(guest, body, 'count-key'), 201), 4);
  });

  it('GET /host-connections/{host_org_id}: one statement', async () => {
    const { host, guest, token } = await pair();
    await post(guest, { host_organization_id: host.organization_id, invitation_token: token })();
    expect(
      await statementsOf(
        () => t.request(`/v1/host-connections/${host.organization_id}`, { headers: guest.headers() }),
        200,
      ),
    ).toHaveLength(1);
  });
});
