// Races between two server processes on one PostgreSQL database with one JWT_SECRET, as a
// deployment runs them: 50 requests presenting one invitation token at once (10 guests, 5
// each) get exactly one connection; 50 retries of one request with one Idempotency-Key run it
// once, and every replay is the first answer byte for byte.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganization } from '../../server/domain/admin.js';
import type { Store } from '../../server/store/database.js';
import { declaredResponseHeaders } from '../support/contract.js';
import { waitForLockWaiters } from '../support/lock-waiters.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-database.js';
import { killRunningServers, requestToken, startServer, type RunningServer } from './server-process.js';

const serverUrl = process.env.TEST_DATABASE_URL;
const title = serverUrl
  ? 'races between two server processes on PostgreSQL'
  : 'races between two server processes (skipped: TEST_DATABASE_URL is not set)';
const SECRET = 'races-test-shared-secret-0123456789abcdef';
const RACERS = 50;
/** Few enough to make quickly (each needs a scrypt hash and a token), several so both refusals happen. */
const GUESTS = 10;
const POOL_SIZE = 10;

interface Organization {
  organization_id: string;
  token: string;
  url: string;
}

describe.skipIf(!serverUrl)(title, () => {
  let scratch: ScratchDatabase;
  let store: Store;
  let servers: RunningServer[];
  let blocker: pg.Client;

  beforeAll(async () => {
    scratch = await createScratchDatabase(serverUrl ?? '', 'connections_races');
    store = await scratch.store();
    const env = { DATABASE_URL: scratch.url, JWT_SECRET: SECRET, DATABASE_POOL_SIZE: String(POOL_SIZE) };
    servers = await Promise.all([startServer(env), startServer(env)]);
    blocker = new pg.Client({ connectionString: scratch.url });
    await blocker.connect();
  }, 90_000);

  afterAll(async () => {
    await killRunningServers();
    await blocker?.end();
    await scratch?.drop();
  });

  /** A new organization, its token from one server; `index` alternates the servers it will call. */
  async function organization(index: number): Promise<Organization> {
    const tag = randomUUID().slice(0, 8);
    const credentials = await createOrganization(store.db, {
      name: `Race ${tag}`,
      email: `race-${tag}@example.test`,
      owner_email: `owner-${tag}@example.test`,
    });
    const url = servers[index % servers.length]?.url ?? '';
    return { organization_id: credentials.organization_id, token: await requestToken(url, credentials), url };
  }

  const headers = (o: Organization) => ({
    Authorization: `Bearer ${o.token}`,
    'Requester-Organization-ID': o.organization_id,
    'Target-Organization-ID': o.organization_id,
    'Content-Type': 'application/json',
  });

  async function invite(host: Organization): Promise<{ id: string; invitation_token: string }> {
    const response = await fetch(`${host.url}/v1/guest-invitations`, {
      method: 'POST',
      headers: headers(host),
      body: JSON.stringify({
        email: 'racer@example.test',
        expired_at: new Date(Date.now() + 86_400_000).toISOString(),
      }),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { id: string; invitation_token: string };
  }

  const connect = (guest: Organization, url: string, body: unknown, key?: string) =>
    fetch(`${url}/v1/host-connections`, {
      method: 'POST',
      headers: { ...headers(guest), ...(key === undefined ? {} : { 'Idempotency-Key': key }) },
      body: JSON.stringify(body),
    });

  async function connectionRows(hostId: string): Promise<number> {
    const { rows } = await blocker.query<{ n: number }>(
      'select count(*)::int as n from connections where host_organization_id = $1',
      [hostId],
    );
    return rows[0]?.n ?? -1;
  }

  it(`lets exactly one of ${RACERS} requests racing with one invitation token in`, async () => {
    const host = await organization(0);
    const guests = await Promise.all(Array.from({ length: GUESTS }, (_, i) => organization(i)));
    const invitation = await invite(host);
    const body = { host_organization_id: host.organization_id, invitation_token: invitation.invitation_token };
    // The invitation's row lock held, so the requests queue behind it until enough of them wait.
    await blocker.query('begin');
    await blocker.query('select id from invitations where id = $1 for update', [invitation.id]);
    const pending = Array.from({ length: RACERS }, (_, i) =>
      connect(guests[i % GUESTS] as Organization, servers[i % servers.length]?.url ?? '', body),
    );
    // Every request holds a pool connection while it waits for the lock: both pools full.
    const waiting = Math.min(RACERS, POOL_SIZE * servers.length);
    await waitForLockWaiters(store.db, blocker, waiting);
    await blocker.query('commit');
    const responses = await Promise.all(pending);

    const outcomes: Record<string, number> = {};
    for (const response of responses) {
      const { code } = (await response.json()) as { code?: string };
      const outcome = `${response.status} ${code ?? 'created'}`;
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
    console.log(
      `races: ${RACERS} requests from ${GUESTS} guests, one token, ${servers.length} processes: ${JSON.stringify(outcomes)}`,
    );
    // The winner's other requests find its connection; the other guests find the invitation taken.
    expect(outcomes).toEqual({
      '201 created': 1,
      '409 connection_already_exists': RACERS / GUESTS - 1,
      '409 invitation_already_accepted': RACERS - RACERS / GUESTS,
    });
    expect(await connectionRows(host.organization_id)).toBe(1);
    const { rows } = await blocker.query<{ status: string; accepted_by_organization_id: string }>(
      'select status, accepted_by_organization_id from invitations where id = $1',
      [invitation.id],
    );
    const { rows: winners } = await blocker.query<{ guest: string }>(
      'select guest_organization_id as guest from connections where host_organization_id = $1',
      [host.organization_id],
    );
    expect(rows).toEqual([{ status: 'accepted_by_guest', accepted_by_organization_id: winners[0]?.guest }]);
  }, 60_000);

  it(`runs ${RACERS} concurrent retries with one Idempotency-Key once, and replays the first answer byte for byte`, async () => {
    const [host, guest] = await Promise.all([organization(0), organization(1)]);
    const invitation = await invite(host);
    const body = { host_organization_id: host.organization_id, invitation_token: invitation.invitation_token };
    const key = `race-${randomUUID()}`;
    const responses = await Promise.all(
      Array.from({ length: RACERS }, (_, i) => connect(guest, servers[i % servers.length]?.url ?? '', body, key)),
    );
    // Then retries one at a time, once nothing is in flight any more, on both processes.
    const later: Response[] = [];
    for (const server of [...servers, ...servers]) later.push(await connect(guest, server.url, body, key));

    const all = [...responses, ...later];
    const texts = await Promise.all(all.map((response) => response.text()));
    const created = all
      .map((response, i) => ({ response, text: texts[i] ?? '' }))
      .filter(({ response }) => response.status === 201);
    const first = created.filter(({ response }) => response.headers.get('idempotency-replayed') === null);
    const replays = created.filter(({ response }) => response.headers.get('idempotency-replayed') === 'true');
    const inFlight = all.filter(
      (response, i) => response.status === 409 && (texts[i] ?? '').includes('"idempotency_key_in_flight"'),
    );
    console.log(
      `races: ${all.length} requests with one Idempotency-Key: 1 first, ${replays.length} replays, ${inFlight.length} answered in flight`,
    );
    expect(first).toHaveLength(1);
    expect(first.length + replays.length + inFlight.length).toBe(all.length);
    expect(replays.length).toBeGreaterThanOrEqual(later.length);
    expect(await connectionRows(host.organization_id)).toBe(1);

    const original = first[0] as { response: Response; text: string };
    const declared = declaredResponseHeaders('createHostConnection', 201).filter(
      (name) => name !== 'Idempotency-Replayed',
    );
    const shape = ({ response, text }: { response: Response; text: string }) => ({
      body: text,
      headers: Object.fromEntries(['Content-Type', ...declared].map((name) => [name, response.headers.get(name)])),
    });
    for (const replay of replays) expect(shape(replay)).toEqual(shape(original));
  }, 60_000);
});
