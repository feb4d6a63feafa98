// `npm run test:unit` (vitest.unit.config.ts): tests that run inside the worker alone. Any child
// process fails the test that starts it, so a test that needs one (a server process, Prism, a
// browser, npm, tsc) cannot slip in; such files belong in the full suite only.
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';

for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const) {
  Object.assign(childProcess, {
    [name]: () => {
      throw new Error(
        `child_process.${name}: unit tests start no child processes (move the file out of vitest.unit.config.ts)`,
      );
    },
  });
}
syncBuiltinESMExports();
