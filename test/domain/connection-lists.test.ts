// GET /host-connections (the guest's list) and GET /guest-connections (the host's list):
// every filter, every order in both directions, nulls last, the tie-break, and paging.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadContract } from '../../server/contract/document.js';
import type { ConnectionUpdate } from '../../server/store/schema.js';
import { createTestApp, type TestApp, type TestOrganization } from '../support/app.js';
import { engines } from '../support/database.js';
import { connectTo, expectedOrder, expectStatus, send, type GuestConnection, type HostConnection } from './flows.js';

type Item = HostConnection | GuestConnection;
type Page<T> = { items: T[]; total_items: number };

const at = (minute: number) => new Date(Date.UTC(2030, 0, 1, 0, minute));

// Five counterparts: names and e-mails that tie once lower-cased, hold % and _, and sort
// differently with and without case. The numbers are minutes of `at`; null is a blank.
const counterparts = [
  {
    name: 'alpha corp',
    email: 'a1@lists.test',
    owner_email: 'Zed@lists.test',
    created: 1,
    updated: 5,
    action: 3,
    score: 10.5,
    scored: 2,
  },
  {
    name: 'Bravo Ltd',
    email: 'B_2@lists.test',
    owner_email: 'yan@lists.test',
    created: 1,
    updated: 4,
    action: null,
    score: null,
    scored: null,
  },
  {
    name: 'charlie%co',
    email: 'c3@lists.test',
    owner_email: 'xu@lists.test',
    created: 2,
    updated: 4,
    action: 3,
    score: 10.5,
    scored: 1,
  },
  {
    name: 'bravo ltd',
    email: 'd4@lists.test',
    owner_email: 'YAN@lists.test',
    created: 3,
    updated: 1,
    action: 1,
    score: 0,
    scored: 1,
  },
  {
    name: 'echo',
    email: 'e5@lists.test',
    owner_email: 'w@lists.test',
    created: 4,
    updated: 2,
    action: null,
    score: 3,
    scored: null,
  },
] as const;
// Indexes into `counterparts`: which the owner of the list archives, and which is disconnected.
const ARCHIVED = [1, 2];
const DISCONNECTED = 4;

const sides = [
  {
    list: '/host-connections',
    item: '/host-connections',
    other: (item: Item) => item.host_organization_id,
    name: 'host_name',
    email: 'host_email',
    searchFields: ['host_name', 'host_email', 'owner_email'],
    orders: [
      'host_name',
      'host_email',
      'owner_email',
      'created_at',
      'updated_at',
      'archived_at',
      'active_action_updated_at',
    ],
  },
  {
    list: '/guest-connections',
    item: '/guest-connections',
    other: (item: Item) => item.guest_organization_id,
    name: 'guest_name',
    email: 'guest_email',
    searchFields: ['guest_name', 'guest_email', 'owner_email'],
    orders: [
      'guest_name',
      'guest_email',
      'owner_email',
      'created_at',
      'updated_at',
      'archived_at',
      'active_action_updated_at',
      'total_score',
      'score_updated_at',
    ],
  },
] as const;

/** The values the contract allows for one query parameter of a list operation. */
function contractEnum(operationId: 'listHostConnections' | 'listGuestConnections', name: string): unknown[] {
  const parameter = loadContract()
    .byId.get(operationId)
    ?.parameters.find((p) => p.name === name);
  return [...((parameter?.schema.enum as unknown[] | undefined) ?? [])].sort();
}

describe('the list tests', () => {
  it('cover every order and search field of the contract', () => {
    const [host, guest] = sides;
    expect([...host.orders].sort()).toEqual(contractEnum('listHostConnections', 'order_by'));
    expect([...host.searchFields].sort()).toEqual(contractEnum('listHostConnections', 'search_field'));
    expect([...guest.orders].sort()).toEqual(contractEnum('listGuestConnections', 'order_by'));
    expect([...guest.searchFields].sort()).toEqual(contractEnum('listGuestConnections', 'search_field'));
  });
});

describe.each(engines)('connection lists on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(engine);
  });

  describe.each(sides)('GET $list', (side) => {
    const guestSide = side.list === '/host-connections';
    let owner: TestOrganization;
    let others: string[];
    let all: Item[];

    async function list(query: string): Promise<Page<Item>> {
      return expectStatus<Page<Item>>(await send(t, owner, 'GET', `${side.list}?${query}`), 200);
    }
    /** The counterparts (as indexes into `counterparts`) a query returns, in the order returned. */
    async function indexes(query: string): Promise<number[]> {
      return (await list(query)).items.map((item) => others.indexOf(side.other(item)));
    }
    const both = 'statuses=connected&statuses=disconnected';

    beforeAll(async () => {
      owner = await t.newOrganization();
      const organizations = [];
      for (const values of counterparts) {
        const other = await t.newOrganization({
          name: values.name,
          email: values.email,
          owner_email: values.owner_email,
        });
        if (guestSide) await connectTo(t, other, owner);
        else await connectTo(t, owner, other);
        organizations.push(other);
      }
      others = organizations.map((organization) => organization.organization_id);
      for (const index of ARCHIVED) {
        await expectStatus(await send(t, owner, 'PATCH', `${side.item}/${others[index]}`, { archived: true }), 200);
      }
      const disconnecting = guestSide ? owner : organizations[DISCONNECTED];
      const hostId = guestSide ? others[DISCONNECTED] : owner.organization_id;
      if (disconnecting === undefined) throw new Error('no such counterpart');
      await expectStatus(
        await send(t, disconnecting, 'PATCH', `/host-connections/${hostId}`, { status: 'disconnected' }),
        200,
      );

      for (const [index, values] of counterparts.entries()) {
        const other = others[index] ?? '';
        const update: ConnectionUpdate = {
          created_at: at(values.created),
          updated_at: at(values.updated),
          active_action_updated_at: values.action === null ? null : at(values.action),
          total_score: values.score,
          score_updated_at: values.scored === null ? null : at(values.scored),
          // Two archived at the same instant: a tie for archived_at.
          ...(ARCHIVED.includes(index) ? (guestSide ? { guest_archived_at: at(6) } : { host_archived_at: at(6) }) : {}),
        };
        await t.store.db
          .updateTable('connections')
          .set(update)
          .where('host_organization_id', '=', guestSide ? other : owner.organization_id)
          .where('guest_organization_id', '=', guestSide ? owner.organization_id : other)
          .execute();
      }
      all = (await list(both)).items;
      expect(all).toHaveLength(5);
    });

    it('filters by statuses (required)', async () => {
      expect((await indexes('statuses=connected')).sort()).toEqual([0, 1, 2, 3]);
      expect(await indexes('statuses=disconnected')).toEqual([DISCONNECTED]);
      expect((await list(both)).total_items).toBe(5);
    });

    it("filters by the owner's own archived flag; absent keeps both", async () => {
      expect((await indexes(`${both}&archived=true`)).sort()).toEqual(ARCHIVED);
      expect((await indexes(`${both}&archived=false`)).sort()).toEqual([0, 3, 4]);
      const archived = all.filter((item) => item.archived).map((item) => others.indexOf(side.other(item)));
      expect(archived.sort()).toEqual(ARCHIVED);
    });

    it('searches the name by default, case-insensitively, and % and _ literally', async () => {
      expect((await indexes(`${both}&search_text=BRAVO`)).sort()).toEqual([1, 3]);
      expect(await indexes(`${both}&search_text=${encodeURIComponent('%')}`)).toEqual([2]);
      expect(await indexes(`${both}&search_text=${encodeURIComponent('a_')}`)).toEqual([]);
      expect(await indexes(`${both}&search_text=${encodeURIComponent('\\')}`)).toEqual([]);
    });

    it('searches the chosen search_field', async () => {
      const [name, email, ownerEmail] = side.searchFields;
      expect(await indexes(`${both}&search_field=${name}&search_text=CORP`)).toEqual([0]);
      expect(await indexes(`${both}&search_field=${email}&search_text=${encodeURIComponent('b_')}`)).toEqual([1]);
      expect(await indexes(`${both}&search_field=${email}&search_text=corp`)).toEqual([]);
      expect((await indexes(`${both}&search_field=${ownerEmail}&search_text=yan%40`)).sort()).toEqual([1, 3]);
    });

    it('combines filters with AND', async () => {
      const page = await list(`statuses=connected&archived=false&search_text=bravo`);
      expect(page.items.map((item) => others.indexOf(side.other(item)))).toEqual([3]);
      expect(page.total_items).toBe(1);
    });

    it('orders by the name ascending by default', async () => {
      const expected = expectedOrder(all, (item) => nameOf(item).toLowerCase(), side.other, 'asc');
      expect((await list(both)).items).toEqual(expected);
    });

    for (const orderBy of side.orders) {
      for (const dir of ['asc', 'desc'] as const) {
        it(`orders by ${orderBy} ${dir}, nulls last, ties by the other organization's id`, async () => {
          const expected = expectedOrder(all, (item) => sortValue(item, orderBy), side.other, dir);
          const page = await list(`${both}&order_by=${orderBy}&order_dir=${dir}`);
          expect(page.items.map(side.other)).toEqual(expected.map(side.other));
        });
      }
    }

    it('pages with limit and offset; total_items counts every match', async () => {
      const full = (await list(`${both}&order_by=created_at&order_dir=desc`)).items.map(side.other);
      const page = await list(`${both}&order_by=created_at&order_dir=desc&limit=2&offset=2`);
      expect(page.items.map(side.other)).toEqual(full.slice(2, 4));
      expect(page.total_items).toBe(5);
      expect(await list(`${both}&limit=3&offset=5`)).toEqual({ items: [], total_items: 5 });
      const connected = await list('statuses=connected&limit=1&offset=1');
      expect(connected.items).toHaveLength(1);
      expect(connected.total_items).toBe(4);
    });

    // A descending nullable key is read in two parts, its values then its nulls: every window,
    // within either part, across both or past the end, is the slice of the whole list.
    it('pages each descending order across its values and its nulls', async () => {
      for (const orderBy of side.orders) {
        const order = `${both}&order_by=${orderBy}&order_dir=desc`;
        const full = (await list(order)).items.map(side.other);
        for (const limit of [1, 2, 3])
          for (let offset = 0; offset <= full.length; offset++) {
            const page = await list(`${order}&limit=${limit}&offset=${offset}`);
            expect({ orderBy, limit, offset, items: page.items.map(side.other) }).toEqual({
              orderBy,
              limit,
              offset,
              items: full.slice(offset, offset + limit),
            });
          }
      }
    });

    function nameOf(item: Item): string {
      return 'host_name' in item ? item.host_name : item.guest_name;
    }

    function sortValue(item: Item, orderBy: (typeof side.orders)[number]): string | number | null {
      switch (orderBy) {
        case 'host_name':
        case 'guest_name':
          return nameOf(item).toLowerCase();
        case 'host_email':
          return 'host_email' in item ? item.host_email.toLowerCase() : null;
        case 'guest_email':
          return 'guest_email' in item ? item.guest_email.toLowerCase() : null;
        case 'owner_email':
          return item.owner_email.toLowerCase();
        case 'total_score':
          return 'total_score' in item ? item.total_score : null;
        case 'score_updated_at':
          return 'score_updated_at' in item ? item.score_updated_at : null;
        default:
          return item[orderBy];
      }
    }
  });
});
