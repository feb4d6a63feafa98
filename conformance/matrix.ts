// The authorization matrix, generated from the contract: every operation × every way to call
// it (no token, malformed or forged ones, a requester header that is not the token's
// organization, an unrelated (stranger) or a disconnected target, and the Self, Host and Guest
// scenarios) gets the status its x-scenarios demand. Then every operation that names a record
// by id answers for another organization's record exactly as for one that does not exist.
import { createHmac, randomUUID } from 'node:crypto';
import { loadContract, type ContractOperation, type Scenario } from '../server/contract/document.js';
import { checkAnswer } from './check.js';
import { type CaseResult, type Finding, type ShownRequest, showRequest } from './findings.js';
import { IdRef, schemaValues, type Value } from './schema-values.js';
import { UUIDS } from './uuid.js';
import type { Requester, Send, World } from './world.js';

const REQUESTER = 'Requester-Organization-ID';
const TARGET = 'Target-Organization-ID';
/** Assignments of ids to an operation's uuid slots tried per scenario before settling for a non-2xx answer. */
const MAX_TRIES = 40;
const HEADER_CASES = ['requester mismatch', 'unrelated target', 'disconnected counterpart'] as const;
const SCENARIOS: Scenario[] = ['self', 'host', 'guest'];

/** A way to present a bad credential: each variant's Authorization header (null: none), by label. */
export interface TokenCase {
  name: string;
  variants: [label: string, authorization: string | null][];
}

export interface MatrixRoles {
  /** Connected with `guest`, never with `stranger`. */
  host: Requester;
  guest: Requester;
  stranger: Requester;
  /** A caller, and an organization it was connected with and is now disconnected from. */
  disconnected: { caller: Requester; target: string };
}

export interface MatrixOptions {
  world: World;
  send: Send;
  roles: MatrixRoles;
  tokenCases: TokenCase[];
  /** Called before a call that must change nothing; what it returns tells what changed (the test's own database). */
  watch?: () => Promise<() => Promise<string[]>>;
  progress?: (done: number) => void;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * The bad credentials any deployment must refuse, made from one valid token of the caller:
 * none, malformed or malleable ones (the same signature written otherwise), another key's
 * signature, `alg: none`. A variant that happens to equal the valid token is left out.
 */
export function tokenCases(valid: string): TokenCase[] {
  const [header = '', payload = '', signature = ''] = valid.split('.');
  const forged = `${header}.${payload}`;
  const otherKey = createHmac('sha256', 'another-secret-another-secret-another-secret').update(forged).digest();
  const malformed: [string, string][] = [
    ['no token after the scheme', 'Bearer'],
    ['not a JWT', 'Bearer not.a.token'],
    ['no signature part', `Bearer ${forged}`],
    ['signature with = padding', `Bearer ${valid}=`],
    ['signature with == padding', `Bearer ${valid}==`],
    ['signature with a ~ inside', `Bearer ${forged}.${signature.slice(0, 10)}~${signature.slice(10)}`],
    ['signature in +/ base64', `Bearer ${forged}.${signature.replace(/-/g, '+').replace(/_/g, '/')}`],
  ];
  return [
    { name: 'no token', variants: [['no Authorization header', null]] },
    { name: 'malformed', variants: malformed.filter(([, authorization]) => authorization !== `Bearer ${valid}`) },
    {
      name: 'another key',
      variants: [['signed with another key', `Bearer ${forged}.${otherKey.toString('base64url')}`]],
    },
    {
      name: 'alg none',
      variants: [['alg none, no signature', `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`]],
    },
  ];
}

/** An operation's required inputs as one template, its uuids numbered as slots in order. */
interface Template {
  params: [string, Value][];
  body: { mediaType: string; value: Value } | undefined;
  slots: number;
}

interface Call {
  caller: Requester;
  target: string;
  /** The Authorization header; the caller's own token when absent, none when null. */
  authorization?: string | null;
  requester?: string;
}

/** Every way to fill `count` slots from `candidates`, in order, at most `limit`. */
function assignments(candidates: string[], count: number, limit: number): string[][] {
  const out: string[][] = [];
  const walk = (prefix: string[]) => {
    if (out.length >= limit) return;
    if (prefix.length === count) out.push(prefix);
    else for (const candidate of candidates) walk([...prefix, candidate]);
  };
  walk([]);
  return out;
}

export interface Matrix {
  /** The operation × case names, in the order `cells` runs them. */
  readonly caseNames: string[];
  /** Every operation × case; one result per cell. */
  cells(): Promise<CaseResult[]>;
  /** Operations whose allowed scenarios reached a 2xx (after `cells`). */
  reached(): string[];
  /** After `cells`: another organization's record answers exactly like a missing one. */
  foreignRecords(): Promise<{ cases: CaseResult[]; comparisons: number }>;
  requests(): number;
}

export function createMatrix(options: MatrixOptions): Matrix {
  const contract = loadContract();
  const values = schemaValues({ components: { schemas: contract.schemas } });
  const { world, send, roles } = options;
  const { host, guest, stranger } = roles;
  const tokenNames = options.tokenCases.map((c) => c.name);
  const caseNames = [...tokenNames, ...HEADER_CASES, ...SCENARIOS];
  let requests = 0;

  function templateOf(operation: ContractOperation): Template {
    let slots = 0;
    const renumber = (value: Value): Value => {
      if (value instanceof IdRef) return new IdRef('caller', slots++);
      if (Array.isArray(value)) return value.map(renumber);
      if (value !== null && typeof value === 'object' && value.constructor === Object) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renumber(v)]));
      }
      return value;
    };
    const params = operation.parameters
      .filter((p) => p.required && p.name !== REQUESTER && p.name !== TARGET)
      .map((p): [string, Value] => [p.name, renumber(values.exemplar(p.schema, p.name))]);
    const [mediaType, schema] = Object.entries(operation.requestBody.content)[0] ?? [];
    const body =
      mediaType === undefined || schema === undefined
        ? undefined
        : { mediaType, value: renumber(values.exemplar(schema)) };
    return { params, body, slots };
  }

  const templates = new Map(contract.operations.map((op) => [op.operationId, templateOf(op)]));
  /** Per operation: the caller and ids that got a 2xx in an allowed scenario (or the first tried). */
  const working = new Map<string, { caller: Requester; slots: string[]; success: boolean }>();

  async function call(
    operation: ContractOperation,
    slots: string[],
    c: Call,
  ): Promise<{ response: Response; shown: ShownRequest }> {
    const template = templates.get(operation.operationId) as Template;
    const now = Date.now();
    const fill = (value: Value): unknown => {
      if (value instanceof IdRef) return slots[value.index];
      if (Array.isArray(value)) return value.map(fill);
      if (value !== null && typeof value === 'object' && value.constructor === Object) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
      }
      return world.resolve(c.caller, value, now);
    };
    const headers = new Headers({
      [REQUESTER]: c.requester ?? c.caller.organization.organization_id,
      [TARGET]: c.target,
    });
    const authorization = c.authorization === undefined ? `Bearer ${c.caller.organization.token}` : c.authorization;
    if (authorization !== null) headers.set('Authorization', authorization);
    const query = new URLSearchParams();
    let path = operation.path;
    for (const [name, value] of template.params) {
      const filled = fill(value);
      const where = operation.parameters.find((p) => p.name === name)?.in;
      if (where === 'path') path = path.replace(`{${name}}`, encodeURIComponent(String(filled)));
      else if (where === 'query') for (const v of [filled].flat()) query.append(name, String(v));
      else if (where === 'header') headers.set(name, String(filled));
    }
    let body: string | undefined;
    if (template.body !== undefined) {
      headers.set('Content-Type', template.body.mediaType);
      const filled = fill(template.body.value) as Record<string, string>;
      body =
        template.body.mediaType === 'application/x-www-form-urlencoded'
          ? new URLSearchParams(filled).toString()
          : JSON.stringify(filled);
    }
    requests++;
    const search = query.toString();
    const url = `${operation.basePath}${path}${search === '' ? '' : `?${search}`}`;
    const init = { method: operation.method.toUpperCase(), headers, body };
    return { response: await send(url, init), shown: showRequest(url, init) };
  }

  /** The contract's verdict on an answer, beyond its status. */
  async function contractProblems(operation: ContractOperation, response: Response) {
    const answer = await checkAnswer(operation.operationId, response);
    const problems = answer.violations.map((v) => ({ check: v.check as string, message: v.message }));
    if (answer.status >= 500) problems.push({ check: 'no 5xx', message: `answered ${answer.status}` });
    return { status: answer.status, code: (answer.body as { code?: string } | undefined)?.code, problems };
  }

  const finding = (operation: ContractOperation, shown: ShownRequest, check: string, message: string): Finding => ({
    operationId: operation.operationId,
    check,
    message,
    request: shown,
  });

  /** The scenario's calls, with ids from what the caller can see, until one answers 2xx. */
  async function allowedCell(operation: ContractOperation, requesters: [Requester, string][]): Promise<Finding[]> {
    const template = templates.get(operation.operationId) as Template;
    const failures: Finding[] = [];
    for (const [caller, target] of requesters) {
      for (const slots of assignments(caller.ids, template.slots, MAX_TRIES)) {
        const { response, shown } = await call(operation, slots, { caller, target });
        const { status, problems } = await contractProblems(operation, response);
        if (status === 401 || status === 403)
          problems.push({ check: 'authorization', message: `an allowed scenario answered ${status}` });
        failures.push(...problems.map((p) => finding(operation, shown, p.check, `${caller.role}: ${p.message}`)));
        const known = working.get(operation.operationId);
        if (known === undefined || (status < 300 && !known.success))
          working.set(operation.operationId, { caller, slots, success: status < 300 });
        if (status < 300) return failures;
      }
    }
    return failures;
  }

  /** One call, refused with this status and code, that changes nothing. */
  async function refusedCell(
    operation: ContractOperation,
    c: Partial<Call>,
    status: number,
    code: string,
    label = '',
  ): Promise<Finding[]> {
    const template = templates.get(operation.operationId) as Template;
    const slots = working.get(operation.operationId)?.slots ?? assignments(host.ids, template.slots, 1)[0] ?? [];
    const changes = await options.watch?.();
    const { response, shown } = await call(operation, slots, {
      caller: host,
      target: host.organization.organization_id,
      ...c,
    });
    const challenge = response.headers.get('www-authenticate');
    const answer = await contractProblems(operation, response);
    const failures = [...answer.problems];
    if (answer.status !== status || answer.code !== code)
      failures.push({
        check: 'authorization',
        message: `answered ${answer.status}${answer.code === undefined ? '' : ` ${answer.code}`}, not ${status} ${code}`,
      });
    if (status === 401 && answer.status === 401 && !challenge?.startsWith('Bearer'))
      failures.push({ check: 'headers', message: `401 without a Bearer challenge (${challenge})` });
    const changed = (await changes?.()) ?? [];
    if (changed.length > 0) failures.push({ check: 'changes nothing', message: `changed rows: ${changed.join('; ')}` });
    return failures.map((f) => finding(operation, shown, f.check, `${label}${f.message}`));
  }

  /** How each case differs from the host calling on its own behalf. */
  const variant = (name: string): Partial<Call> => {
    if (name === 'requester mismatch') return { requester: guest.organization.organization_id };
    if (name === 'unrelated target') return { target: stranger.organization.organization_id };
    if (name === 'disconnected counterpart') return roles.disconnected;
    if (name === 'host') return { target: guest.organization.organization_id };
    if (name === 'guest') return { caller: guest, target: host.organization.organization_id };
    const token = options.tokenCases.find((t) => t.name === name);
    if (token !== undefined) return { authorization: token.variants[0]?.[1] ?? null };
    return {};
  };
  const self = (c: Requester): [Requester, string] => [c, c.organization.organization_id];

  async function cells(): Promise<CaseResult[]> {
    const results: CaseResult[] = [];
    for (const operation of contract.operations) {
      const cell = async (name: string, run: () => Promise<Finding[]>) => {
        results.push({ suite: 'matrix', name: `${operation.operationId} × ${name}`, findings: await run() });
        options.progress?.(results.length);
      };
      if (!operation.secured) {
        // Public: every way of calling it gets the answer a plain call gets.
        await cell('self', () => allowedCell(operation, [self(host)]));
        const plain = working.get(operation.operationId) as { slots: string[] };
        for (const name of caseNames.filter((c) => c !== 'self')) {
          await cell(name, async () => {
            const { response, shown } = await call(operation, plain.slots, {
              caller: host,
              target: host.organization.organization_id,
              ...variant(name),
            });
            const answer = await contractProblems(operation, response);
            if (answer.status >= 300)
              answer.problems.push({ check: 'authorization', message: `a public operation answered ${answer.status}` });
            return answer.problems.map((p) => finding(operation, shown, p.check, p.message));
          });
        }
        continue;
      }
      // The scenarios first: they find ids that reach the handler, which the refusals reuse.
      const scenarioRequesters: Record<Scenario, [Requester, string][]> = {
        self: [self(host), self(guest)],
        host: [[host, guest.organization.organization_id]],
        guest: [[guest, host.organization.organization_id]],
      };
      for (const scenario of SCENARIOS) {
        await cell(scenario, () =>
          operation.scenarios.includes(scenario)
            ? allowedCell(operation, scenarioRequesters[scenario])
            : refusedCell(operation, variant(scenario), 403, 'scenario_not_allowed'),
        );
      }
      for (const token of options.tokenCases) {
        await cell(token.name, async () => {
          const all: Finding[] = [];
          for (const [label, authorization] of token.variants)
            all.push(...(await refusedCell(operation, { authorization }, 401, 'invalid_token', `${label}: `)));
          return all;
        });
      }
      await cell('requester mismatch', () =>
        refusedCell(operation, variant('requester mismatch'), 403, 'requester_mismatch'),
      );
      for (const name of ['unrelated target', 'disconnected counterpart'] as const)
        await cell(name, () => refusedCell(operation, variant(name), 403, 'not_connected'));
    }
    return results;
  }

  async function foreignRecords(): Promise<{ cases: CaseResult[]; comparisons: number }> {
    const cases: CaseResult[] = [];
    let comparisons = 0;
    const withPathIds = contract.operations.filter((op) => op.secured && op.parameters.some((p) => p.in === 'path'));
    for (const operation of withPathIds) {
      const template = templates.get(operation.operationId) as Template;
      const base = working.get(operation.operationId);
      if (base === undefined) throw new Error(`the matrix's cells run first and find ids for ${operation.operationId}`);
      const { caller } = base;
      const visible = new Set(caller.ids);
      const foreign = world.ids.filter((id) => !visible.has(id));
      const findings: Finding[] = [];
      // Only the path's slots name the record; they come first in the template.
      const pathSlots = template.params.filter(
        ([name]) => operation.parameters.find((p) => p.name === name)?.in === 'path',
      ).length;
      for (let slot = 0; slot < pathSlots; slot++) {
        const answer = async (id: string) => {
          const slots = base.slots.map((s, i) => (i === slot ? id : s));
          const changes = await options.watch?.();
          const { response, shown } = await call(operation, slots, {
            caller,
            target: caller.organization.organization_id,
          });
          const text = await response.text();
          return {
            shape: `${response.status} ${response.headers.get('content-type')} ${text.replace(UUIDS, '<id>')}`,
            status: response.status,
            shown,
            changed: (await changes?.()) ?? [],
          };
        };
        const missing = await answer(randomUUID());
        if (missing.status !== 404)
          findings.push(
            finding(operation, missing.shown, 'like missing', `a missing id in slot ${slot} answered ${missing.shape}`),
          );
        for (const id of foreign) {
          comparisons++;
          const other = await answer(id);
          if (other.shape !== missing.shape)
            findings.push(
              finding(
                operation,
                other.shown,
                'like missing',
                `as ${caller.role}, another organization's record in slot ${slot} answered ${other.shape}; a missing id: ${missing.shape}`,
              ),
            );
          if (other.changed.length > 0)
            findings.push(
              finding(
                operation,
                other.shown,
                'changes nothing',
                `another organization's record changed: ${other.changed.join('; ')}`,
              ),
            );
        }
      }
      cases.push({ suite: 'matrix', name: `${operation.operationId} × another organization's record`, findings });
    }
    return { cases, comparisons };
  }

  return {
    caseNames,
    cells,
    reached: () => [...working].filter(([, w]) => w.success).map(([id]) => id),
    foreignRecords,
    requests: () => requests,
  };
}
