// Makes concurrent requests really overlap on PostgreSQL: a session of the test holds a row
// lock, the requests pile up behind it, and the test lets go once enough of them wait.
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import type { Database } from '../../server/store/schema.js';

/**
 * Resolves once `count` backends wait, directly or in a queue, for a lock `blocker` holds.
 * Asked through `db`, not the blocker's session, whose open transaction would keep its first
 * view of pg_stat_activity.
 */
export async function waitForLockWaiters(db: Kysely<Database>, blocker: pg.Client, count: number): Promise<void> {
  const blockerPid = (await blocker.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid;
  for (let attempt = 0; attempt < 500; attempt++) {
    // Behind a row lock only the first waiter waits for the blocker, the others for that waiter: follow the chain.
    const { rows } = await sql<{ waiting: number }>`
      with recursive behind(pid) as (
        select pid from pg_stat_activity where ${blockerPid}::int = any(pg_blocking_pids(pid))
        union
        select activity.pid from pg_stat_activity activity join behind on behind.pid = any(pg_blocking_pids(activity.pid))
      )
      select count(*)::int as waiting from behind
    `.execute(db);
    if ((rows[0]?.waiting ?? 0) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${count} requests never queued behind the blocker`);
}
