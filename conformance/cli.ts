#!/usr/bin/env node
// connections-api-conformance: checks a running deployment against the contract (see
// docs/conformance.md). Exit 0: every check passed; 1: a check failed; 2: wrong usage, or the
// deployment could not be checked (unreachable, credentials refused).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type Credentials, ROLES, type RunOptions, runConformance, SetupError } from './run.js';

const USAGE = `usage: connections-api-conformance --base-url URL --organizations FILE [--requests N] [--seed S] [--junit FILE]

  --base-url URL        the deployment, up to and including /v1 (e.g. http://127.0.0.1:3000/v1)
  --organizations FILE  JSON {"host": {...}, "guest": {...}, "stranger": {...}}, each the JSON line
                        \`npm run -s admin -- create-organization\` prints
  --requests N          requests the contract fuzzer sends (default 500)
  --seed S              the fuzzer's seed, to replay a run (default: a new one, printed)
  --junit FILE          also write the results as JUnit XML`;

class UsageError extends Error {}

function integer(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)))
    throw new UsageError(`${name} must be a whole number, not ${text}`);
  return Number(text);
}

function organizations(file: string): RunOptions['organizations'] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--organizations ${file}: ${(error as Error).message}`);
  }
  const out = {} as RunOptions['organizations'];
  for (const role of ROLES) {
    const entry = (parsed as Record<string, Partial<Credentials>> | null)?.[role];
    const fields = ['organization_id', 'client_id', 'client_secret'] as const;
    if (entry === undefined || fields.some((f) => typeof entry[f] !== 'string'))
      throw new UsageError(
        `--organizations ${file}: "${role}" must have ${fields.join(', ')} (the admin command's output)`,
      );
    out[role] = entry as Credentials;
  }
  return out;
}

function parse(argv: string[]): RunOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'base-url': { type: 'string' },
        organizations: { type: 'string' },
        requests: { type: 'string' },
        seed: { type: 'string' },
        junit: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help === true) return 'help';
  const baseUrl = values['base-url'];
  const file = values.organizations;
  if (typeof baseUrl !== 'string' || typeof file !== 'string')
    throw new UsageError('--base-url and --organizations are required');
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new UsageError(`--base-url ${baseUrl} is not a URL`);
  }
  if (!/^https?:$/.test(url.protocol) || !/\/v1\/?$/.test(url.pathname))
    throw new UsageError(`--base-url ${baseUrl} must be an http(s) URL ending in /v1, the contract's base path`);
  const seed = integer(values.seed as string | undefined, '--seed', Math.floor(Math.random() * 2 ** 31));
  const junit = values.junit as string | undefined;
  return {
    baseUrl,
    organizations: organizations(file),
    requests: integer(values.requests as string | undefined, '--requests', 500),
    seed,
    junit,
    replay: `connections-api-conformance --base-url ${baseUrl} --organizations ${file}${values.requests === undefined ? '' : ` --requests ${values.requests}`}`,
  };
}

try {
  const options = parse(process.argv.slice(2));
  if (options === 'help') console.log(USAGE);
  else process.exitCode = await runConformance(options, (line) => console.log(line));
} catch (thrown) {
  // fast-check wraps what a property threw (the deployment went away mid-run) as the cause.
  const error = thrown instanceof Error && thrown.cause instanceof SetupError ? thrown.cause : thrown;
  if (error instanceof UsageError) console.error(`${error.message}\n\n${USAGE}`);
  else if (error instanceof SetupError) console.error(`cannot check the deployment: ${error.message}`);
  else throw error;
  process.exitCode = 2;
}
