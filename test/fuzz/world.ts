// The organizations the fuzzer calls as, and what they have: real tokens, a connection, a
// disconnected one, pending and archived invitations, actions. Every id and string a response
// brings back is harvested, so generated requests name real records, not only random ids.
import type { TestApp, TestOrganization } from '../support/app.js';
import { FromNow, Harvested, IdRef, type Value } from './schema-values.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Per property name; enough for variety, small enough that a random index often hits a live one. */
const HARVEST_LIMIT = 64;

export interface Caller {
  role: string;
  organization: TestOrganization;
  /** Every id this organization was shown, its own first. */
  ids: string[];
}

/** A list that keeps its first-seen order and ignores repeats. */
class Pool {
  readonly values: string[] = [];
  private readonly seen = new Set<string>();

  add(value: string): void {
    if (this.seen.has(value) || this.values.length >= HARVEST_LIMIT * 4) return;
    this.seen.add(value);
    this.values.push(value);
  }

  pick(index: number): string | undefined {
    return this.values.length === 0 ? undefined : this.values[index % this.values.length];
  }
}

export class World {
  readonly callers: Caller[] = [];
  /** Organization id → name, for every organization of the world, callers or not. */
  readonly names = new Map<string, string>();
  private readonly organizationIds = new Pool();
  private readonly allIds = new Pool();
  private readonly callerIds = new Map<Caller, Pool>();
  private readonly strings = new Map<string, Pool>();

  constructor(readonly t: TestApp) {}

  addOrganization(organization: TestOrganization, name: string, role?: string): Caller | undefined {
    this.names.set(organization.organization_id, name);
    this.organizationIds.add(organization.organization_id);
    this.allIds.add(organization.organization_id);
    this.remember('client_id', organization.client_id);
    this.remember('client_secret', organization.client_secret);
    if (role === undefined) return undefined;
    const caller: Caller = { role, organization, ids: [] };
    const pool = new Pool();
    this.callerIds.set(caller, pool);
    pool.add(organization.organization_id);
    caller.ids = pool.values;
    this.callers.push(caller);
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
  harvest(caller: Caller, body: unknown, name?: string): void {
    if (Array.isArray(body)) for (const item of body) this.harvest(caller, item, name);
    else if (typeof body === 'object' && body !== null) {
      for (const [key, value] of Object.entries(body)) this.harvest(caller, value, key);
    } else if (typeof body === 'string') {
      if (UUID.test(body)) {
        this.callerIds.get(caller)?.add(body.toLowerCase());
        this.allIds.add(body.toLowerCase());
      }
      if (name !== undefined) this.remember(name, body);
    }
  }

  /** Replaces every placeholder of a generated value with what it names now. */
  resolve(caller: Caller, value: Value, now: number): unknown {
    if (value instanceof IdRef) {
      const pool = value.pool === 'caller' ? this.callerIds.get(caller) : value.pool === 'organizations' ? this.organizationIds : this.allIds;
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
  async send(caller: Caller, method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await this.t.request(`/v1${path}`, {
      method,
      headers: { ...caller.organization.headers(), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`building the world: ${method} ${path} answered ${response.status} ${text}`);
    const parsed: unknown = JSON.parse(text);
    this.harvest(caller, parsed);
    return parsed;
  }
}

type Created = { id?: string; invitation_token?: string };

/**
 * A host with a connected guest (one active action, one resolved), a guest that disconnected,
 * a stranger with no connection, and an outsider that never calls but whose id is known: its
 * name must never reach anyone. The host has pending invitations for the stranger (one by its
 * e-mail, for the tokenless path), two for anyone with the token, and an archived one.
 */
export async function buildWorld(t: TestApp, label: string): Promise<World> {
  const world = new World(t);
  const make = async (role: string, calls: boolean): Promise<Caller | undefined> => {
    const name = `${label} ${role} ${Math.random().toString(36).slice(2, 10)}`;
    const organization = await t.newOrganization({ name });
    return world.addOrganization(organization, name, calls ? role : undefined);
  };
  const [host, guest, former, stranger] = (await Promise.all([
    make('host', true),
    make('guest', true),
    make('former guest', true),
    make('stranger', true),
    make('outsider', false),
  ])) as [Caller, Caller, Caller, Caller, undefined];
  const hostId = host.organization.organization_id;
  const expiredAt = new Date(Date.now() + 30 * DAY_MS).toISOString();
  const invite = async (email: string) =>
    (await world.send(host, 'POST', '/guest-invitations', { email, expired_at: expiredAt })) as Created;

  for (const member of [guest, former]) {
    const invitation = await invite(`${member.role.replace(/ /g, '-')}@example.test`);
    await world.send(member, 'POST', '/host-connections', { host_organization_id: hostId, invitation_token: invitation.invitation_token });
  }
  await world.send(former, 'PATCH', `/host-connections/${hostId}`, { status: 'disconnected' });
  const guestId = guest.organization.organization_id;
  await world.send(host, 'POST', `/guest-connections/${guestId}/actions`, { action_type: 'analytics_request' });
  const resolved = (await world.send(host, 'POST', `/guest-connections/${guestId}/actions`, { action_type: 'documents_update_request' })) as Created;
  await world.send(guest, 'POST', `/host-connections/${hostId}/actions/${resolved.id}/resolution`);
  await world.send(guest, 'GET', `/host-connections/${hostId}/actions`);

  const strangerEmail = (await world.send(stranger, 'GET', `/organizations/${stranger.organization.organization_id}`)) as { email: string };
  await invite(strangerEmail.email);
  await invite('anyone@example.test');
  await invite('someone@example.test');
  const archived = await invite('archived@example.test');
  await world.send(host, 'PATCH', `/guest-invitations/${archived.id}`, { archived: true });
  return world;
}
