// One conformance run against a deployment: tokens for the three organizations, then the
// seed's flow, the authorization matrix and the contract fuzzer, every answer checked
// against the contract; a summary table and each failure with its request and the seed.
import { writeFile } from 'node:fs/promises';
import { type CaseResult, findingText, type Suite } from './findings.js';
import { runFlow } from './flow.js';
import { runFuzzer } from './fuzz.js';
import { junitXml } from './junit.js';
import { createMatrix, tokenCases } from './matrix.js';
import { type Requester, type Organization, type Send, World } from './world.js';

export type Credentials = Omit<Organization, 'token'>;
export const ROLES = ['host', 'guest', 'stranger'] as const;

export interface RunOptions {
  /** Where the contract's `/v1` paths are; the probes (`/healthz`, `/readyz`) are at its root. */
  baseUrl: string;
  organizations: Record<(typeof ROLES)[number], Credentials>;
  requests: number;
  seed: number;
  junit: string | undefined;
  /** How to replay this run, for the failures' messages. */
  replay: string;
}

/** The deployment cannot be checked at all (unreachable, credentials refused): exit 2, not 1. */
export class SetupError extends Error {}

/** Failures of one kind shown in full; the rest counted. */
const SHOWN_PER_KIND = 3;

// A 429 with a Retry-After is waited out and the request sent again, so that each request gets
// the deployment's real answer, not the limiter's: up to 5 s, 10 times, for the organization's
// budget (the contract's rate limits: a window of a second). A longer Retry-After (the
// failed-token limit: up to a minute) is the answer itself, which the contract documents; only
// the tokens the run starts with wait that long, once: a run right after another may meet the
// limit on failed token requests the fuzzer used up.
type Waiting = { longestSeconds: number; times: number };
const BUDGET: Waiting = { longestSeconds: 5, times: 10 };
const FAILED_TOKENS: Waiting = { longestSeconds: 60, times: 1 };

/** How often, and how long in all, the run waited out a 429. */
interface RateLimitWaits {
  count: number;
  seconds: number;
}

function sender(baseUrl: string, waits: RateLimitWaits, waiting = BUDGET): Send {
  const root = baseUrl.replace(/\/v1\/?$/, '');
  const once = async (path: string, init: RequestInit) => {
    try {
      return await fetch(`${root}${path}`, { ...init, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      throw new SetupError(`${init.method ?? 'GET'} ${root}${path} got no answer: ${(error as Error).cause ?? error}`);
    }
  };
  return async (path, init) => {
    for (let waited = 0; ; waited++) {
      const response = await once(path, init);
      const wait = Number(response.headers.get('retry-after') ?? Number.NaN);
      if (response.status !== 429 || !(wait >= 0 && wait <= waiting.longestSeconds) || waited === waiting.times) {
        return response;
      }
      await response.arrayBuffer();
      waits.count += 1;
      waits.seconds += wait;
      await new Promise((resolve) => setTimeout(resolve, Math.max(wait, 0.1) * 1000));
    }
  };
}

async function token(send: Send, role: string, credentials: Credentials): Promise<string> {
  const response = await send('/v1/oauth2/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_id: credentials.client_id, client_secret: credentials.client_secret }),
  });
  const text = await response.text();
  if (response.status !== 200)
    throw new SetupError(
      `the ${role}'s credentials got no token: POST /v1/oauth2/token answered ${response.status} ${text}`,
    );
  return (JSON.parse(text) as { access_token: string }).access_token;
}

/** Progress on one rewritten line, only when stderr is a terminal. */
function progressLine(): (text: string) => void {
  if (!process.stderr.isTTY) return () => {};
  return (text) => process.stderr.write(`\r\u001b[2K${text}`);
}

function summary(cases: CaseResult[]): string {
  const rows = (['flow', 'matrix', 'fuzz'] as Suite[]).map((suite) => {
    const own = cases.filter((c) => c.suite === suite);
    const failed = own.filter((c) => c.findings.length > 0).length;
    return [suite, own.length, own.length - failed, failed];
  });
  const table = [['part', 'cases', 'passed', 'failed'], ...rows];
  return table
    .map((row) => row.map((cell, i) => String(cell)[i === 0 ? 'padEnd' : 'padStart'](8)).join('  '))
    .join('\n');
}

export async function runConformance(options: RunOptions, out: (line: string) => void): Promise<number> {
  const waits: RateLimitWaits = { count: 0, seconds: 0 };
  const send = sender(options.baseUrl, waits);
  const sendForToken = sender(options.baseUrl, waits, FAILED_TOKENS);
  const show = progressLine();
  // Reachable at all: any answer of the readiness probe will do; a 503 is for the checks to judge.
  await send('/readyz', { method: 'GET' });
  const world = new World(send);
  const requesters = {} as Record<(typeof ROLES)[number], Requester>;
  for (const role of ROLES) {
    const credentials = options.organizations[role];
    const organization = { ...credentials, token: await token(sendForToken, role, credentials) };
    requesters[role] = world.addOrganization(organization, role, role) as Requester;
  }
  const { host, guest, stranger } = requesters;
  const cases: CaseResult[] = [];

  show('flow…');
  cases.push(...(await runFlow(world, send, requesters)));
  const matrix = createMatrix({
    world,
    send,
    roles: { host, guest, stranger, disconnected: { caller: guest, target: stranger.organization.organization_id } },
    tokenCases: tokenCases(host.organization.token),
    progress: (done) => show(`matrix ${done} cells…`),
  });
  cases.push(...(await matrix.cells()));
  cases.push(...(await matrix.foreignRecords()).cases);
  const fuzz = await runFuzzer({
    world,
    send,
    seed: options.seed,
    runs: options.requests,
    progress: (done) => show(`fuzz ${done}/${options.requests}…`),
  });
  cases.push(...fuzz.cases);
  show('');

  const failed = cases.filter((c) => c.findings.length > 0);
  const statuses = [...fuzz.statuses]
    .sort(([a], [b]) => a - b)
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
  out(summary(cases));
  out(
    `fuzz: ${fuzz.requests} requests (${fuzz.verdicts.valid} valid, ${fuzz.verdicts.invalid} invalid), statuses ${statuses}`,
  );
  out(`matrix: ${matrix.requests()} requests; seed ${options.seed}`);
  if (waits.count > 0) out(`rate limits: ${waits.count} answers 429 waited out (${waits.seconds} s) and sent again`);
  for (const c of failed) {
    const kinds = new Map<string, number>();
    out(`\nFAIL ${c.suite}: ${c.name}`);
    for (const f of c.findings) {
      const kind = `${f.operationId} ${f.check}`;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      if ((kinds.get(kind) ?? 0) <= SHOWN_PER_KIND) out(`  ${findingText(f).replace(/\n/g, '\n  ')}`);
    }
    for (const [kind, n] of kinds) if (n > SHOWN_PER_KIND) out(`  … and ${n - SHOWN_PER_KIND} more of ${kind}`);
  }
  if (failed.length > 0) out(`\nreplay: ${options.replay} --seed ${options.seed}`);
  if (options.junit !== undefined) await writeFile(options.junit, junitXml(cases, options.seed));
  out(
    failed.length === 0 ? `\nall ${cases.length} cases passed` : `\n${failed.length} of ${cases.length} cases failed`,
  );
  return failed.length === 0 ? 0 : 1;
}
