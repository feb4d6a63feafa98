// The contract-driven fuzzer: for every operation of openapi.yaml, requests generated from its
// own parameter and body schemas, half of them mutated (wrong types, bounds overstepped, bad
// formats, controls and lone surrogates, huge numbers, calendar edges, missing, extra and
// repeated fields and parameters, broken JSON, other media types, oversized or non-UTF-8
// bodies, bad credentials). Every answer must be below 500, of a status the operation
// documents, with a body its schema accepts; an invalid request must get a 4xx; a 4xx or a GET
// must change no row of any table; no answer may name an organization the caller has no
// connection with.
//
// FUZZ_RUNS=n      requests per database (default 2000)
// FUZZ_SEED=s      the seed (default: a new one each run, printed)
// FUZZ_PATH=p      with FUZZ_SEED, replays the one case a failure printed (and shrinks it);
//                  the world is rebuilt fresh, so a case that needed earlier requests' records may pass
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../server/store/database.js';
import { testAppOn, type TestApp } from '../support/app.js';
import { validateResponse } from '../support/contract.js';
import { openTestStore } from '../support/database.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-database.js';
import { changedTables, snapshotTables } from '../support/snapshot.js';
import { UUIDS } from '../support/uuid.js';
import { concreteRequest, requestPlans, type ConcreteRequest } from './requests.js';
import type { Caller, World } from '../support/world.js';
import { buildWorld } from './world.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const SEED = process.env.FUZZ_SEED === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.FUZZ_SEED);
const REPLAY_PATH = process.env.FUZZ_PATH;
const databaseUrl = process.env.TEST_DATABASE_URL;

interface Finding {
  path: string;
  problems: string[];
  request: string;
  response: string;
}

/** The names of world organizations in `text` that have no connection, in any status, with the caller. */
async function unrelatedNames(store: Store, world: World, caller: Caller, text: string): Promise<string[]> {
  const self = caller.organization.organization_id;
  const named = [...world.names].filter(([id, name]) => id !== self && text.includes(name));
  if (named.length === 0) return [];
  const { rows } = await sql<{ other: string }>`
    select case when host_organization_id = ${self} then guest_organization_id else host_organization_id end as other
    from connections where host_organization_id = ${self} or guest_organization_id = ${self}
  `.execute(store.db);
  const related = new Set(rows.map((row) => row.other));
  return named.filter(([id]) => !related.has(id)).map(([, name]) => name);
}

function describeRequest(request: ConcreteRequest): string {
  const headers = [...request.init.headers]
    .filter(([name]) => name !== 'authorization')
    .map(([n, v]) => `${n}: ${v.slice(0, 80)}`);
  const body = request.init.body instanceof Uint8Array ? Buffer.from(request.init.body).toString('utf8') : '';
  const shown = body.length > 300 ? `${body.slice(0, 300)}… (${body.length} bytes)` : body;
  return `${request.caller.role}: ${request.init.method} ${request.url.slice(0, 300)} [${headers.join('; ')}] ${JSON.stringify(shown)} (${request.verdict}${request.reasons.length > 0 ? `: ${request.reasons.join(', ')}` : ''})`;
}

/** Grouped by what went wrong, three replayable examples each. */
function report(engine: string, findings: Finding[]): string {
  const byKind = new Map<string, Finding[]>();
  for (const finding of findings) {
    const kind = (finding.problems[0] ?? '').replace(UUIDS, '<id>').slice(0, 160);
    byKind.set(kind, [...(byKind.get(kind) ?? []), finding]);
  }
  const lines = [`${findings.length} of the fuzzer's answers on ${engine} break the contract (FUZZ_SEED=${SEED}):`];
  for (const [kind, all] of byKind) {
    lines.push(`\n× ${all.length}: ${kind}`);
    for (const finding of all.slice(0, 3)) {
      lines.push(
        `  replay: FUZZ_SEED=${SEED} FUZZ_PATH=${finding.path} npx vitest run test/fuzz/contract-fuzz.test.ts`,
      );
      lines.push(
        `    ${finding.request}`,
        `    → ${finding.response}`,
        ...finding.problems.slice(1).map((p) => `    also: ${p}`),
      );
    }
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
      const findings: Finding[] = [];
      const statuses = new Map<number, number>();
      const verdicts = { valid: 0, invalid: 0, unknown: 0 };
      let validSuccesses = 0;
      let before = await snapshotTables(store.db);
      let run = 0;
      const started = performance.now();

      const property = fc.asyncProperty(requestPlans(), async (plan) => {
        const path = REPLAY_PATH ?? String(run);
        run++;
        const request = concreteRequest(plan, world, Date.now());
        const response = await t.app.request(request.url, request.init);
        const checked = await validateResponse(request.operation.operationId, response);
        const problems: string[] = [];
        const { status } = checked;
        if (status >= 500) problems.push(`${request.operation.operationId} answered ${status}`);
        problems.push(...checked.problems.map((p) => `${request.operation.operationId}: ${p}`));
        if (request.verdict === 'invalid' && (status < 400 || status >= 500)) {
          problems.push(`${request.operation.operationId}: an invalid request answered ${status}`);
        }
        const body = checked.body as { code?: string; errors?: unknown[] } | undefined;
        if (status === 422 && body?.code === 'validation_failed' && (body.errors ?? []).length === 0) {
          problems.push(`${request.operation.operationId}: 422 validation_failed names no failing input`);
        }
        const after = await snapshotTables(store.db);
        if (status >= 400 || request.init.method === 'GET') {
          const changed = changedTables(before, after);
          if (changed.length > 0)
            problems.push(`${request.operation.operationId}: a ${status} answer changed rows: ${changed.join('; ')}`);
        }
        before = after;
        const text = JSON.stringify(checked.body) ?? '';
        const leaked = await unrelatedNames(store, world, request.caller, text);
        if (leaked.length > 0)
          problems.push(
            `${request.operation.operationId}: answered the ${request.caller.role} with the name of an unconnected organization`,
          );
        if (status < 300) world.harvest(request.caller, checked.body);

        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        verdicts[request.verdict]++;
        if (request.verdict === 'valid' && status < 300) validSuccesses++;
        if (problems.length > 0) {
          const finding = {
            path,
            problems,
            request: describeRequest(request),
            response: `${status} ${text.slice(0, 400)}`,
          };
          findings.push(finding);
          if (REPLAY_PATH !== undefined) throw new Error(report(engine, [finding]));
        }
      });
      await fc.assert(property, {
        seed,
        numRuns: RUNS,
        endOnFailure: true,
        ...(REPLAY_PATH === undefined ? {} : { path: REPLAY_PATH }),
      });

      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const histogram = [...statuses]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join(' ');
      console.log(
        `fuzz on ${engine}: ${run} requests in ${seconds} s (FUZZ_SEED=${SEED}): ${verdicts.valid} valid (${validSuccesses} answered 2xx), ` +
          `${verdicts.invalid} invalid, ${verdicts.unknown} raw; statuses ${histogram}; ${findings.length} findings`,
      );
      if (findings.length > 0) throw new Error(report(engine, findings));
      // Valid requests must reach the handlers, not stop at 404s: the world gives them real ids.
      if (REPLAY_PATH === undefined) expect(validSuccesses).toBeGreaterThan(verdicts.valid / 5);
    },
    300_000,
  );
});
