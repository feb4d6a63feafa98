// One webhook attempt over HTTP(S), hardened against its receiver: the address actually
// connected to is checked (a name that resolves to 127.0.0.1 after registration is refused),
// no redirect is followed, the attempt ends after 15 s whatever the receiver does, and at most
// 64 KiB of its answer is read.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { isAllowed, refusalOf, type AllowedNetworks } from '../domain/webhook-addresses.js';
import { hostOf } from '../domain/webhook-urls.js';

const ATTEMPT_TIMEOUT_MS = 15_000;
const MAX_READ_BYTES = 64 * 1024;

export type Outgoing = { url: string; headers: Record<string, string>; body: string };
/** The receiver's answer: its status, the start of its body, its Retry-After. */
export type Answer = { status: number; body: string; retryAfter: string | undefined };
/** Sends one attempt; rejects when no answer came (refused address, connection error, timeout). */
export type Send = (outgoing: Outgoing) => Promise<Answer>;

/** Why this address may not be connected to for this URL's scheme; undefined when it may. */
function connectRefusal(address: string, protocol: string, allowed: AllowedNetworks): string | undefined {
  const refusal = refusalOf(address, allowed);
  if (refusal !== undefined) return `refused to connect to ${address}, a ${refusal} address`;
  if (protocol === 'http:' && !isAllowed(address, allowed)) return `refused plain http to ${address}`;
  return undefined;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup, refusing every answer that holds a refused address. */
function checkedLookup(protocol: string, allowed: AllowedNetworks) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error !== null) return callback(error, []);
      for (const entry of addresses) {
        const refusal = connectRefusal(entry.address, protocol, allowed);
        if (refusal !== undefined) return callback(new Error(refusal), []);
      }
      const [first] = addresses;
      if (options.all === true) return callback(null, addresses);
      if (first === undefined) return callback(new Error(`${hostname} does not resolve`), []);
      callback(null, first.address, first.family);
    });
  };
}

export function httpSender(allowed: AllowedNetworks, timeoutMs = ATTEMPT_TIMEOUT_MS): Send {
  return (outgoing) =>
    new Promise<Answer>((resolve, reject) => {
      const url = new URL(outgoing.url);
      const host = hostOf(url);
      // A literal address is connected to without a lookup: check it here.
      const refusal = isIP(host) === 0 ? undefined : connectRefusal(host, url.protocol, allowed);
      if (refusal !== undefined) return reject(new Error(refusal));
      const client = url.protocol === 'https:' ? https : http;
      const request = client.request(url, {
        method: 'POST',
        headers: { ...outgoing.headers, 'content-type': 'application/json', 'user-agent': 'connections-api-webhooks' },
        lookup: checkedLookup(url.protocol, allowed),
        // A socket of its own per attempt: a pooled one was checked for another host.
        agent: false,
        signal: AbortSignal.timeout(timeoutMs),
      });
      let answered = false;
      request.on('error', (error) => {
        // Once the status came, the answer's own handlers settle the attempt.
        if (answered) return;
        reject(
          error.name === 'AbortError' || error.name === 'TimeoutError'
            ? new Error(`no answer within ${timeoutMs / 1000} s`)
            : error,
        );
      });
      request.on('response', (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        let read = 0;
        const done = () => {
          response.destroy();
          const retryAfter = response.headers['retry-after'];
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), retryAfter });
        };
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          read += chunk.length;
          if (read >= MAX_READ_BYTES) done();
        });
        response.on('end', done);
        // The status came: an answer cut off (timeout, reset) still counts as that status.
        response.on('error', done);
        response.on('close', done);
      });
      request.end(outgoing.body);
    });
}
