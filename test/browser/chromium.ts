// Debian's Chromium, driven by playwright-core; never a downloaded browser. Shared by the
// browser tests: headless, and nothing that reaches out on its own (updates, sync, field
// trials, QUIC probes).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
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

/** Where screenshots go (an ignored folder). */
export const artifacts = fileURLToPath(new URL('../artifacts/', import.meta.url));

/** Why the browser tests cannot run here, or undefined when they can. */
export const chromiumUnavailable = existsSync(CHROMIUM)
  ? undefined
  : `no Chromium at ${CHROMIUM} (apt-get install chromium)`;

export type Chromium = { browser: BrowserContext; close(): Promise<void> };

/** A fresh profile in a temporary folder, removed on close. */
export async function launchChromium(stepTimeoutMs: number): Promise<Chromium> {
  const profile = await mkdtemp(join(tmpdir(), 'connections-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  browser.setDefaultTimeout(stepTimeoutMs);
  return {
    browser,
    close: async () => {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
