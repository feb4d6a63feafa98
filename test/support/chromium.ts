// Debian's Chromium driven by playwright-core (never a downloaded browser), as the tests that open
// the API reference use it: headless, in a throwaway profile, recording every URL it requests.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
// Nothing that reaches out on its own (updates, sync, field trials, QUIC probes).
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
// The reference page parses a 4 MB script; a busy 2-core machine needs headroom.
export const STEP_TIMEOUT_MS = 60_000;

/** Where screenshots go (an ignored folder). */
export const artifacts = fileURLToPath(new URL('../artifacts/', import.meta.url));

/** Why the browser tests cannot run here, or undefined when they can. */
export const chromiumUnavailable = existsSync(CHROMIUM)
  ? undefined
  : `no Chromium at ${CHROMIUM} (apt-get install chromium)`;

export interface Browser {
  context: BrowserContext;
  /** Every URL the pages requested, in order. */
  requested: string[];
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'reference-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  const requested: string[] = [];
  context.on('request', (request) => requested.push(request.url()));
  return {
    context,
    requested,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** The requested URLs that went over the network (not data: or blob:) to anywhere but `origin`. */
export function requestsLeaving(requested: string[], origin: string): { network: string[]; elsewhere: string[] } {
  const network = requested.filter((url) => !/^(data|blob):/.test(url));
  return { network, elsewhere: network.filter((url) => new URL(url).origin !== origin) };
}
