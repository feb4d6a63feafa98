// The rule for an endpoint's URL, at registration and on every change of it.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { blockListOf, isAllowed, refusalOf, type AllowedNetworks } from './webhook-addresses.js';
import { ProblemError } from './problems.js';

/** What the rule needs: the allowed networks, and how a name resolves (DNS; a fake in tests). */
export type WebhookPolicy = {
  allowedNetworks: AllowedNetworks;
  resolve(host: string): Promise<string[]>;
};

// A registration waits this long for DNS at most: a name that does not answer in time is refused.
const RESOLVE_TIMEOUT_MS = 3000;

export async function resolveByDns(host: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('DNS did not answer in time')), RESOLVE_TIMEOUT_MS);
  });
  try {
    const addresses = await Promise.race([lookup(host, { all: true, verbatim: true }), late]);
    return addresses.map((entry) => entry.address);
  } finally {
    clearTimeout(timer);
  }
}

/** The default: public addresses only. */
export const publicOnly: WebhookPolicy = { allowedNetworks: blockListOf([]), resolve: resolveByDns };

/** The URL's host without IPv6 brackets: WHATWG URL has already made 2130706433 or 0x7f.1 into 127.0.0.1. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** Why a webhook may not go to this URL; undefined when it may. */
async function urlRefusal(text: string, policy: WebhookPolicy): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an https URL';
  if (url.username !== '' || url.password !== '') return 'must not carry a user name or password';
  const host = hostOf(url);
  let addresses: string[];
  if (isIP(host) !== 0) addresses = [host];
  else {
    addresses = await policy.resolve(host).catch(() => []);
    if (addresses.length === 0) return `the host ${host} does not resolve`;
  }
  for (const address of addresses) {
    const refusal = refusalOf(address, policy.allowedNetworks);
    if (refusal !== undefined) {
      const shown = address === host ? host : `${host} (${address})`;
      return `the host ${shown} is a ${refusal} address; webhooks go to public addresses only`;
    }
  }
  // Plain http only inside a network the operator allowed.
  if (url.protocol === 'http:' && !addresses.every((address) => isAllowed(address, policy.allowedNetworks))) {
    return 'must be an https URL';
  }
  return undefined;
}

/** Refuses the URL with 422 naming `url`. */
export async function checkWebhookUrl(text: string, policy: WebhookPolicy): Promise<void> {
  const refusal = await urlRefusal(text, policy);
  if (refusal !== undefined) {
    throw new ProblemError('validation_failed', '1 input is invalid.', {
      errors: [{ location: 'body', pointer: '/url', message: refusal }],
    });
  }
}
