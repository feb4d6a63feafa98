// A server killed (SIGKILL) while its webhook attempts are in flight: they are sent again, with
// the same `webhook-id`, by the next process on its database (here `npm run worker`'s, the
// dispatcher alone): the outbox is in the database, not in the process.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../webhooks/receiver.js';
import { demoOrganization, killRunningServers, requestToken, startServer, startWorker } from './server-process.js';

describe('webhooks across a SIGKILL on the embedded database', () => {
  let dataDir: string | undefined;
  let receiver: Receiver | undefined;

  afterAll(async () => {
    await killRunningServers();
    await receiver?.close();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it('delivers the events in flight at the kill from the next process, the worker, with the same webhook-id', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'webhook-restart-'));
    const hooks = await startReceiver();
    receiver = hooks;
    const env = { DATA_DIR: dataDir, WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8' };
    const first = await startServer(env);
    const stdout = first.process.stdout();
    const [host, guest] = [demoOrganization(stdout, 'host'), demoOrganization(stdout, 'guest')];
    const call = async (who: typeof host, method: string, pathname: string, body: unknown) => {
      const token = await requestToken(first.url, who);
      const response = await fetch(`${first.url}/v1${pathname}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          'Requester-Organization-ID': who.organization_id,
          'Target-Organization-ID': who.organization_id,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify(body),
      });
      expect(response.status, await response.clone().text()).toBeLessThan(300);
      return response;
    };
    await call(host, 'POST', '/webhook-endpoints', {
      url: `${hooks.url}/host`,
      event_types: ['guest_connection.created', 'guest_invitation.accepted'],
    });
    // The receiver holds both attempts open: they are in flight when the server dies.
    hooks.answer = () => 'hang';
    await call(guest, 'POST', '/host-connections', { host_organization_id: host.organization_id });
    const inFlight = await hooks.waitFor('/host', 2, 20_000);
    expect(await first.process.signal('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });

    hooks.answer = () => ({ status: 204 });
    await startWorker(env);
    const all = await hooks.waitFor('/host', 4, 20_000);
    const ids = (entries: typeof all) => entries.map((entry) => entry.headers['webhook-id']).sort();
    expect(ids(all.slice(2))).toEqual(ids(inFlight));
    expect(new Set(ids(inFlight)).size).toBe(2);
    // Two starts of a server on a busy machine: the file's own budget, not the default 20 s.
  }, 90_000);
});
