// `npm test` must not depend on the bench: nothing under test/ imports from bench/ (what tests
// share with it, like the statement counter, lives in test/support and the bench imports it).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const TEST = path.resolve(import.meta.dirname, '..');
const BENCH_IMPORT = /\b(?:from|import)\s*\(?\s*['"][./]*\/?bench\//;

/** The lines of these sources that import from bench/, as `file: line`. */
function benchImports(sources: { file: string; text: string }[]): string[] {
  return sources.flatMap(({ file, text }) =>
    text.split('\n').flatMap((line) => (BENCH_IMPORT.test(line) ? [`${file}: ${line.trim()}`] : [])),
  );
}

describe('test/ and bench/', () => {
  it('finds an import from bench/, static or dynamic', () => {
    expect(
      benchImports([
        { file: 'a.ts', text: "import { x } from '../../bench/statements.js';\nconst y = 1;" },
        { file: 'b.ts', text: "const m = await import('../bench/data.js');" },
        { file: 'c.ts', text: "import { z } from '../support/statements.js'; // not bench/" },
      ]),
    ).toEqual([
      "a.ts: import { x } from '../../bench/statements.js';",
      "b.ts: const m = await import('../bench/data.js');",
    ]);
  });

  it('no file under test/ imports from bench/', () => {
    // This file is left out: its samples above are imports from bench/ on purpose.
    const files = readdirSync(TEST, { recursive: true, encoding: 'utf8' }).filter(
      (f) => /\.(ts|js|mjs)$/.test(f) && path.join(TEST, f) !== import.meta.filename,
    );
    expect(files.length).toBeGreaterThan(50);
    expect(benchImports(files.map((file) => ({ file, text: readFileSync(path.join(TEST, file), 'utf8') })))).toEqual(
      [],
    );
  });
});
