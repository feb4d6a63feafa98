// Organizations that tests call as, and everything the API has shown them: every id and
// string a response brings back is harvested, so generated requests can name real records
// (ids, invitation tokens, client ids) instead of only random ones.
import { FromNow, Harvested, IdRef, type Value } from './schema-values.js';
import { UUID } from './uuid.js';

/** Per pool; enough for variety, small enough that a random index often hits a live record. */
const POOL_LIMIT = 256;

/** An organization with a token, as `admin create-organization` and `POST /oauth2/token` give them. */
export interface Organization {
  organization_id: string;
  client_id: string;
  client_secret: string;
  token: string;
}

/** How requests reach the deployment: `path` includes the base path (`/v1/...`, or `/healthz`). */
export type Send = (path: string, init: RequestInit) => Promise<Response>;

/** An organization the world sends requests as (the server's word: the requester), in a role of the run. */
export interface Requester {
  role: string;
  organization: Organization;
  /** Every id this organization was shown, its own first. */
  ids: string[];
}

/** A list that keeps its first-seen order and ignores repeats. */
class Pool {
  readonly values: string[] = [];
  private readonly seen = new Set<string>();

  add(value: string): void {
    if (this.seen.has(value) || this.values.length >= POOL_LIMIT) return;
    this.seen.add(value);
    this.values.push(value);
  }

  pick(index: number): string | undefined {
    return this.values.length === 0 ? undefined : this.values[index % this.values.length];
  }
}

export class World {
  readonly requesters: Requester[] = [];
  /** Organization id → name, for every organization of the world, requesters or not. */
  readonly names = new Map<string, string>();
  private readonly organizationIds = new Pool();
  private readonly allIds = new Pool();
  private readonly requesterIds = new Map<Requester, Pool>();
  private readonly strings = new Map<string, Pool>();

  constructor(private readonly transport: Send) {}

  /** Every id any caller was shown. */
  get ids(): string[] {
    return this.allIds.values;
  }

  addOrganization(organization: Organization, name: string, role?: string): Requester | undefined {
    this.names.set(organization.organization_id, name);
    this.organizationIds.add(organization.organization_id);
    this.allIds.add(organization.organization_id);
    this.remember('client_id', organization.client_id);
    this.remember('client_secret', organization.client_secret);
    if (role === undefined) return undefined;
    const caller: Requester = { role, organization, ids: [] };
    const pool = new Pool();
    this.requesterIds.set(caller, pool);
    pool.add(organization.organization_id);
    caller.ids = pool.values;
    this.requesters.push(caller);
    return caller;
  }

  private remember(name: string, value: string): void {
    let pool = this.strings.get(name);
    if (pool === undefined) {
      pool = new Pool();
      this.strings.set(name, pool);
    }
    pool.add(value);
  }

  /** Takes every uuid (for the caller's and the world's id pools) and every string (by property name) of a body. */
  harvest(caller: Requester, body: unknown, name?: string): void {
    if (Array.isArray(body)) for (const item of body) this.harvest(caller, item, name);
    else if (typeof body === 'object' && body !== null) {
      for (const [key, value] of Object.entries(body)) this.harvest(caller, value, key);
    } else if (typeof body === 'string') {
      if (UUID.test(body)) {
        this.requesterIds.get(caller)?.add(body.toLowerCase());
        this.allIds.add(body.toLowerCase());
      }
      if (name !== undefined) this.remember(name, body);
    }
  }

  /** Replaces every placeholder of a generated value with what it names now. */
  resolve(caller: Requester, value: Value, now: number): unknown {
    if (value instanceof IdRef) {
      const pool =
        value.pool === 'caller'
          ? this.requesterIds.get(caller)
          : value.pool === 'organizations'
            ? this.organizationIds
            : this.allIds;
      const id = pool?.pick(value.index) ?? caller.organization.organization_id;
      return value.upperCase ? id.toUpperCase() : id;
    }
    if (value instanceof Harvested) return this.strings.get(value.name)?.pick(value.index) ?? value.fallback;
    if (value instanceof FromNow) return new Date(now + value.ms).toISOString();
    if (Array.isArray(value)) return value.map((item) => this.resolve(caller, item, now));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.resolve(caller, item, now)]));
    }
    return value;
  }

  /** A request as `caller`, target itself, with a JSON body; harvests a successful answer. */
  async send(caller: Requester, method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await this.transport(`/v1${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${caller.organization.token}`,
        'Requester-Organization-ID': caller.organization.organization_id,
        'Target-Organization-ID': caller.organization.organization_id,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status >= 300)
      throw new Error(`building the world: ${method} ${path} answered ${response.status} ${text}`);
    const parsed: unknown = JSON.parse(text);
    this.harvest(caller, parsed);
    return parsed;
  }
}
