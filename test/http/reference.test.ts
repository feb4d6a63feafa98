// /docs, its script, and the contract at /openapi.json and /openapi.yaml: served from the
// package itself, and a page that points only at this server. test/browser runs the page.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';

const root = new URL('../../', import.meta.url);

describe('the API reference and the contract', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp('pglite');
  });

  it('serves openapi.yaml byte for byte, and generated/openapi.json', async () => {
    const yaml = await t.request('/openapi.yaml');
    expect(yaml.headers.get('content-type')).toBe('application/yaml');
    expect(await yaml.text()).toBe(await readFile(new URL('openapi.yaml', root), 'utf8'));

    const json = await t.request('/openapi.json');
    expect(json.headers.get('content-type')).toBe('application/json');
    const served = (await json.json()) as { servers: { url: string }[] };
    expect(served).toEqual(JSON.parse(await readFile(new URL('generated/openapi.json', root), 'utf8')));
    // Relative, so the page's "Test Request" reaches whichever server served it.
    expect(served.servers[0]?.url).toBe('/v1');
  });

  it('serves a page whose every reference is a path of this server, and those paths answer', async () => {
    const page = await t.request('/docs');
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html.match(/\b(?:https?:)?\/\/[^\s"'<>]+/g) ?? []).toEqual([]);
    const scripts = [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]);
    const config = /createApiReference\('#app', (\{[\s\S]*?\})\)/.exec(html)?.[1];
    const settings = JSON.parse(config ?? '{}') as Record<string, unknown>;
    expect(settings).toMatchObject({
      url: '/openapi.json',
      withDefaultFonts: false,
      telemetry: false,
      agent: { disabled: true },
      mcp: { disabled: true },
    });
    expect(scripts).toEqual(['/docs/scalar.js']);
    for (const path of [...scripts, settings.url])
      expect((await t.request(String(path))).status, String(path)).toBe(200);
  });

  it('serves the script from the installed @scalar/api-reference, as JavaScript', async () => {
    const bundle = join(
      dirname(createRequire(import.meta.url).resolve('@scalar/api-reference')),
      'browser',
      'standalone.js',
    );
    const script = await t.request('/docs/scalar.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe(await readFile(bundle, 'utf8'));
  });

  it('takes no query parameters, as the contract says', async () => {
    for (const path of ['/docs?x=1', '/docs/scalar.js?v=2', '/openapi.json?x=1', '/openapi.yaml?x=1', '/metrics?x=1']) {
      expect((await t.request(path)).status, path).toBe(422);
    }
  });
});
