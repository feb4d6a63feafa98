// The lock of an embedded database's data directory: one process at a time.
import { randomBytes } from 'node:crypto';
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { DatabaseLockedError } from './errors.js';

// PGlite is a single Postgres backend writing its files directly: two processes on one data
// dir would corrupt it. The lock file holds the owner's pid. It is created whole, with its
// content, by link(), which fails if the file exists, so nobody ever reads a half-written lock.
// A lock whose pid is dead is stale (the owner crashed) and is taken over. Two processes taking
// over one stale lock at the same instant can still race; that needs a crash and a double start.
export async function acquireLock(lockFile: string, dataDir: string): Promise<void> {
  const draft = `${lockFile}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(draft, `${process.pid}\n`);
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await link(draft, lockFile);
        return;
      } catch (error) {
        if (!hasCode(error, 'EEXIST')) throw error;
      }
      const holder = await readLockHolder(lockFile);
      if (holder !== undefined && isAlive(holder)) throw new DatabaseLockedError(dataDir, holder);
      await unlink(lockFile).catch(ignoreCode('ENOENT'));
    }
    throw new Error(`could not take the lock ${lockFile}: it keeps changing hands`);
  } finally {
    await unlink(draft).catch(ignoreCode('ENOENT'));
  }
}

export async function releaseLock(lockFile: string): Promise<void> {
  if ((await readLockHolder(lockFile)) === process.pid) {
    await unlink(lockFile).catch(ignoreCode('ENOENT'));
  }
}

/** The pid in the lock file, or undefined when it is gone or does not hold a pid. */
async function readLockHolder(lockFile: string): Promise<number | undefined> {
  const text = await readFile(lockFile, 'utf8').catch(ignoreCode('ENOENT'));
  const pid = Number(text?.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0 checks existence without signalling
    return true;
  } catch (error) {
    return hasCode(error, 'EPERM'); // exists, but belongs to another user
  }
}

function hasCode(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}

function ignoreCode(code: string): (error: unknown) => undefined {
  return (error) => {
    if (!hasCode(error, code)) throw error;
    return undefined;
  };
}
