// What the embedded database acknowledged survives the process being killed outright.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/store/database.js';
import { findOrganization } from '../../server/store/organizations.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const script = fileURLToPath(new URL('./fixtures/commit-then-die.ts', import.meta.url));

/** Runs the child; resolves with its stdout once SIGKILL has ended it. */
function commitThenDie(dataDir: string, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', script, dataDir, name], { cwd: root }, (error, stdout, stderr) => {
      if (error?.signal === 'SIGKILL') resolve(stdout.trim());
      else reject(new Error(`the child did not die by SIGKILL: ${error?.message ?? 'exit 0'}\n${stderr}`));
    });
  });
}

describe('the embedded database', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('keeps a commit of a process killed by SIGKILL right after it, and reopens past its stale lock', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'connections-durability-'));
    dirs.push(dataDir);
    const id = await commitThenDie(dataDir, 'Survivor');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const store = await openDatabase({ dataDir });
    try {
      expect((await findOrganization(store.db, id))?.name).toBe('Survivor');
    } finally {
      await store.close();
    }
  }, 60_000);
});
