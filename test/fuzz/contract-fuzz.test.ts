// The contract fuzzer (conformance/fuzz.ts, the one `connections-api-conformance` runs) on the
// app over each database, with what only the owner of the database can check on top: a 4xx
// or a GET changes no row of any table, and no answer names an organization the caller has
// no connection with. Valid requests must reach the handlers, not stop at 404s.
//
// FUZZ_RUNS=n      requests per database (default 1000; each run draws a new seed)
// FUZZ_SEED=s      the seed (default: a new one each run, printed)
// FUZZ_PATH=p      with FUZZ_SEED, replays the one case a failure printed;
//                  the world is rebuilt fresh, so a case that needed earlier requests' records may pass
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingText } from '../../conformance/findings.js';
import { type FuzzFinding, runFuzzer } from '../../conformance/fuzz.js';
import { UUIDS } from '../../conformance/uuid.js';
import type { Requester, World } from '../../conformance/world.js';
import type { Store } from '../../server/store/database.js';
import { testAppOn, type TestApp } from '../support/app.js';
import { openTestStore } from '../support/database.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-database.js';
import { changedTables, snapshotTables } from '../support/snapshot.js';
import { buildWorld } from './world.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const SEED = process.env.FUZZ_SEED === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.FUZZ_SEED);
const REPLAY_PATH = process.env.FUZZ_PATH;
const databaseUrl = process.env.TEST_DATABASE_URL;

/** The names of world organizations in `text` that have no connection, in any status, with the requester. */
async function unrelatedNames(store: Store, world: World, requester: Requester, text: string): Promise<string[]> {
  const self = requester.organization.organization_id;
  const named = [...world.names].filter(([id, name]) => id !== self && text.includes(name));
  if (named.length === 0) return [];
  const { rows } = await sql<{ other: string }>`
    select case when host_organization_id = ${self} then guest_organization_id else host_organization_id end as other
    from connections where host_organization_id = ${self} or guest_organization_id = ${self}
  `.execute(store.db);
  const related = new Set(rows.map((row) => row.other));
  return named.filter(([id]) => !related.has(id)).map(([, name]) => name);
}

/** Grouped by what went wrong, three replayable examples each. */
function report(engine: string, findings: FuzzFinding[]): string {
  const byKind = new Map<string, FuzzFinding[]>();
  for (const finding of findings) {
    const kind = `${finding.operationId} — ${finding.check}: ${finding.message.replace(UUIDS, '<id>').slice(0, 160)}`;
    byKind.set(kind, [...(byKind.get(kind) ?? []), finding]);
  }
  const lines = [`${findings.length} of the fuzzer's answers on ${engine} break the contract (FUZZ_SEED=${SEED}):`];
  for (const [kind, all] of byKind) {
    lines.push(`\n× ${all.length}: ${kind}`);
    for (const finding of all.slice(0, 3))
      lines.push(
        `  replay: FUZZ_SEED=${SEED} FUZZ_PATH=${finding.path} npx vitest run test/fuzz/contract-fuzz.test.ts`,
        `    ${findingText(finding)} (${finding.verdict}${finding.reasons.length > 0 ? `: ${finding.reasons.join(', ')}` : ''})`,
        `    → ${finding.response}`,
      );
  }
  return lines.join('\n');
}

const targets = [
  { engine: 'pglite', skip: undefined },
  { engine: 'postgres', skip: databaseUrl ? undefined : 'TEST_DATABASE_URL is not set' },
] as const;

describe.each(targets)('the contract fuzzer on $engine', ({ engine, skip }) => {
  // Each database gets requests of its own, so that a run covers twice as many cases.
  const seed = SEED + targets.findIndex((target) => target.engine === engine);
  let scratch: ScratchDatabase | undefined;
  let store: Store;
  let t: TestApp;
  let world: World;

  beforeAll(async () => {
    if (skip !== undefined) return;
    // Counting every row needs a database nobody else writes to meanwhile: the worker's own
    // PGlite (test files of a worker run one at a time), or a PostgreSQL database of its own.
    if (engine === 'postgres') scratch = await createScratchDatabase(databaseUrl ?? '', 'connections_fuzz');
    store = scratch === undefined ? await openTestStore('pglite') : await scratch.store();
    t = testAppOn(store);
    world = await buildWorld(t, `Fuzz ${engine}`);
  }, 120_000);

  afterAll(async () => {
    await scratch?.drop();
  });

  it.skipIf(skip !== undefined)(
    `answers ${RUNS} generated requests within the contract${skip ? ` (skipped: ${skip})` : ''}`,
    async () => {
      let before = await snapshotTables(store.db);
      const started = performance.now();
      const result = await runFuzzer({
        world,
        send: t.request,
        seed,
        runs: RUNS,
        path: REPLAY_PATH,
        extraChecks: async (request, answer) => {
          const operationId = request.operation.operationId;
          const found = [];
          const after = await snapshotTables(store.db);
          const changed = changedTables(before, after);
          before = after;
          if ((answer.status >= 400 || request.init.method === 'GET') && changed.length > 0)
            found.push({
              operationId,
              check: 'changes nothing',
              message: `a ${answer.status} answer changed rows: ${changed.join('; ')}`,
            });
          const leaked = await unrelatedNames(store, world, request.caller, JSON.stringify(answer.body) ?? '');
          if (leaked.length > 0)
            found.push({
              operationId,
              check: 'no leak',
              message: `answered the ${request.caller.role} with the name of an unconnected organization`,
            });
          return found;
        },
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const histogram = [...result.statuses]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join(' ');
      const { verdicts } = result;
      console.log(
        `fuzz on ${engine}: ${result.requests} requests in ${seconds} s (FUZZ_SEED=${SEED}): ${verdicts.valid} valid (${result.validSuccesses} answered 2xx), ` +
          `${verdicts.invalid} invalid, ${verdicts.unknown} raw; statuses ${histogram}; ${result.findings.length} findings`,
      );
      if (result.findings.length > 0) throw new Error(report(engine, result.findings));
      expect(result.requests).toBe(REPLAY_PATH === undefined ? RUNS : 1);
      // Valid requests must reach the handlers, not stop at 404s: the world gives them real ids.
      if (REPLAY_PATH === undefined) expect(result.validSuccesses).toBeGreaterThan(verdicts.valid / 5);
    },
    300_000,
  );
});
