// Where webhooks may go: public addresses only (no server-side request forgery), unless an
// operator allows a network (WEBHOOK_ALLOWED_NETWORKS, for development and tests). Checked at
// registration (the URL's host and what it resolves to) and again on every connection, with
// the address actually connected to (server/webhooks/http-sender.ts).
import { BlockList, isIP } from 'node:net';

// Every range that is not a public unicast address, with the name a refusal gives it.
const REFUSED: [cidr: string, kind: string][] = [
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier-grade NAT'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'documentation'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['::/96', 'reserved'],
  ['64:ff9b::/96', 'reserved'],
  ['100::/64', 'reserved'],
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'],
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['ff00::/8', 'multicast'],
];

const refused = REFUSED.map(([cidr, kind]) => ({ kind, list: blockListOf([cidr]) }));

/** The networks webhooks may reach although they are not public (and by plain http). */
export type AllowedNetworks = BlockList;

/** A BlockList of CIDRs (`10.0.0.0/8`, `fd00::/8`); throws naming the first that is not one. */
export function blockListOf(cidrs: string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', bits = ''] = cidr.trim().split('/');
    const family = isIP(address);
    const prefix = Number(bits);
    if (family === 0 || !/^[0-9]+$/.test(bits) || prefix > (family === 4 ? 32 : 128)) {
      throw new Error(`"${cidr}" is not a CIDR such as 127.0.0.0/8`);
    }
    list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

/** An IPv4-mapped IPv6 address (`::ffff:7f00:1`, `::ffff:127.0.0.1`) as the IPv4 address it is. */
function unmapped(address: string): string {
  if (isIP(address) !== 6) return address;
  const normal = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(normal);
  if (mapped === null) return normal;
  const [high, low] = [Number.parseInt(mapped[1] ?? '0', 16), Number.parseInt(mapped[2] ?? '0', 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** Whether an IP address is in one of the allowed networks. */
export function isAllowed(address: string, allowed: AllowedNetworks): boolean {
  const ip = unmapped(address);
  return allowed.check(ip, isIP(ip) === 4 ? 'ipv4' : 'ipv6');
}

/** Why a webhook may not go to this IP address (e.g. `loopback`); undefined when it may. */
export function refusalOf(address: string, allowed: AllowedNetworks): string | undefined {
  const ip = unmapped(address);
  const family = isIP(ip) === 4 ? 'ipv4' : 'ipv6';
  if (isIP(ip) === 0) return 'not an IP address';
  if (allowed.check(ip, family)) return undefined;
  return refused.find((range) => range.list.check(ip, family))?.kind;
}
