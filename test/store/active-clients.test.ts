// The cache of active API clients behind every authenticated request: it answers from memory
// only while revocations can reach it, and never keeps what a revocation has made untrue.
import { describe, expect, it } from 'vitest';
import { createActiveClients, MAX_ENTRIES, type ActiveClientLookup } from '../../server/store/active-clients.js';

function counting(answers: Record<string, string | undefined>): { lookup: ActiveClientLookup; calls: () => number } {
  let calls = 0;
  return {
    lookup: async (clientId) => {
      calls += 1;
      return answers[clientId];
    },
    calls: () => calls,
  };
}

describe('the active clients cache', () => {
  it('asks the database once per client while listening, and again after a revocation', async () => {
    const db = counting({ a: 'org-a' });
    const clients = createActiveClients(db.lookup);
    clients.listening(true);
    expect([await clients.organizationOf('a'), await clients.organizationOf('a')]).toEqual(['org-a', 'org-a']);
    expect(db.calls()).toBe(1);
    clients.revoked('a');
    await clients.organizationOf('a');
    expect(db.calls()).toBe(2);
  });

  it('caches nothing while the listener is not connected, and forgets everything when it is lost', async () => {
    const db = counting({ a: 'org-a' });
    const clients = createActiveClients(db.lookup);
    await clients.organizationOf('a');
    await clients.organizationOf('a');
    expect(db.calls()).toBe(2);
    clients.listening(true);
    await clients.organizationOf('a');
    await clients.organizationOf('a');
    expect(db.calls()).toBe(3);
    clients.listening(false);
    await clients.organizationOf('a');
    expect(db.calls()).toBe(4);
  });

  it('does not cache an answer read before a revocation that arrived while it was read', async () => {
    let release: () => void = () => {};
    const clients = createActiveClients(() => new Promise((resolve) => (release = () => resolve('org-a'))));
    clients.listening(true);
    const first = clients.organizationOf('a');
    clients.revoked('a');
    release();
    expect(await first).toBe('org-a');
    const second = clients.organizationOf('a');
    // A second database read: the first answer was not kept.
    release();
    expect(await second).toBe('org-a');
  });

  it('never caches an unknown or revoked client, and holds at most its bound of entries', async () => {
    const answers: Record<string, string | undefined> = {};
    for (let i = 0; i <= MAX_ENTRIES; i++) answers[`c${i}`] = 'org';
    const db = counting(answers);
    const clients = createActiveClients(db.lookup);
    clients.listening(true);
    expect(await clients.organizationOf('unknown')).toBeUndefined();
    expect(await clients.organizationOf('unknown')).toBeUndefined();
    expect(db.calls()).toBe(2);
    for (let i = 0; i <= MAX_ENTRIES; i++) await clients.organizationOf(`c${i}`);
    const before = db.calls();
    await clients.organizationOf(`c${MAX_ENTRIES}`); // the newest is kept
    await clients.organizationOf('c0'); // the oldest made room
    expect(db.calls() - before).toBe(1);
  });
});
