// Which PGlite is installed, without loading it: a data directory (and so a template, and the
// tables' types generated from one) is only good for the PGlite build that made it.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The first folder above `from` holding a package.json. */
export function packageRoot(from: string): string {
  let dir = path.dirname(from);
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

export const pgliteVersion = (): string => {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  return (JSON.parse(readFileSync(path.join(packageRoot(entry), 'package.json'), 'utf8')) as { version: string })
    .version;
};
