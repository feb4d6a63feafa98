import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The tests that need no database server, no child process (server, Prism, npm, tsc) and no
// browser: PGlite in the worker stands in for PostgreSQL, and the Redis and PostgreSQL runs of
// the engine tests are off whatever the environment says. `npm test` runs everything.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    exclude: [
      'test/browser/**',
      'test/mutation/**',
      'test/package/**',
      'test/process/**',
      'test/client/mock.test.ts',
      'test/contract/contract.test.ts',
      'test/contract/mock-prefer.test.ts',
      'test/contract/prism-gaps.test.ts',
      'test/domain/demo.test.ts',
      'test/fuzz/http-limits.test.ts',
      'test/http/rate-limits-redis.test.ts',
      'test/lint/contract-diff.test.ts',
      'test/lint/contract-rules.test.ts',
      'test/lint/generate-check.test.ts',
      'test/store/admin.test.ts',
      'test/store/data-dir.test.ts',
      'test/store/durability.test.ts',
      'test/store/migrations.test.ts',
    ],
    globalSetup: [],
    setupFiles: [base.test?.setupFiles ?? [], 'test/setup/unit.ts'].flat(),
    env: { TEST_DATABASE_URL: '', TEST_REDIS_URL: '' },
  },
});
