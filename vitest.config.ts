import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import JsdomSecond from './test/setup/sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Type-level tests (test/**/*.test-d.ts: expectTypeOf, @ts-expect-error) are checked by
    // `npm run typecheck`, whose tsc fails on any of them; a second tsc pass here cost ~9 s of CPU.
    // Starts the Prism mock once for every file (it is stateless); see the file for the proxy.
    globalSetup: ['test/setup/prism.ts'],
    setupFiles: ['test/setup/hashing.ts'],
    // Forks keep PGlite (WASM) and the child processes of each worker apart.
    pool: 'forks',
    // Vitest's default leaves a core idle on a 2-core machine.
    maxWorkers: availableParallelism(),
    // Files share their worker's modules, so a worker opens PGlite once (~5 s) instead of once
    // per file (test/support/database.ts caches the store per module instance). Tests isolate
    // themselves by creating their own organizations; files that fake timers restore them.
    isolate: false,
    sequence: { sequencer: JsdomSecond },
    // Hooks that open PGlite or start Prism need headroom on a busy machine; tests need less.
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
