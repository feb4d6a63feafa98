// The API reference (Scalar) and the contract it renders, all served from this package: the
// page loads its script and the contract from this server and nothing from anywhere else (no
// CDN, fonts, telemetry or Scalar's hosted services), so it works where there is no internet.
// Each file is read once, on first request: it cannot change while the process runs.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { operations } from '../../../generated/operations.js';
import { contractDocument, contractYaml, type OperationId } from '../../contract/document.js';
import type { OperationHandlers } from '../operation-types.js';
import { bundlePath } from './reference-bundle.js';

const pathOf = (operationId: OperationId): string => operations[operationId].basePath + operations[operationId].path;

function once<T>(load: () => T): () => T {
  let value: { loaded: T } | undefined;
  return () => {
    value ??= { loaded: load() };
    return value.loaded;
  };
}

const document = once(contractDocument);
const yaml = once(contractYaml);
const script = once(() => readFileSync(bundlePath(), 'utf8'));

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/**
 * The page's policy: everything from this server only; of inline scripts, only the one below
 * (by its hash). Scalar sets styles from its script, so inline styles are allowed; it shows
 * images and fonts embedded as data: URLs.
 */
function pagePolicy(inlineScript: string): string {
  const hash = createHash('sha256').update(inlineScript).digest('base64');
  return [
    "default-src 'self'",
    `script-src 'self' 'sha256-${hash}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The page Scalar's own integrations render (its Hono middleware needs Node 22): the bundle,
 * then the reference mounted with a configuration that calls nowhere else.
 */
const page = once(() => {
  const info = document().info as { title: string };
  const configuration = {
    url: pathOf('getContractJson'),
    // Each of these would call out: fonts.scalar.com, Scalar's telemetry, its AI agent and
    // MCP services, the toolbar's links to its dashboard, and "Open API Client", which hands
    // this server's contract URL to client.scalar.com. The page's own client stays.
    withDefaultFonts: false,
    telemetry: false,
    agent: { disabled: true },
    mcp: { disabled: true },
    showDeveloperTools: 'never',
    hideClientButton: true,
    // "Download" links to /openapi.json instead of building a file in the browser.
    documentDownloadType: 'direct',
  };
  const mount = `
      Scalar.createApiReference('#app', ${JSON.stringify(configuration).replace(/</g, '\\u003c')});
    `;
  const html = `<!doctype html>
<html>
  <head>
    <title>${escapeHtml(`${info.title} reference`)}</title>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
  </head>
  <body>
    <div id="app"></div>
    <script src="${pathOf('getApiReferenceScript')}"></script>
    <script>${mount}</script>
  </body>
</html>
`;
  return { html, policy: pagePolicy(mount) };
});

export const referenceHandlers = {
  async getApiReference() {
    const { html, policy } = page();
    return { status: 200, mediaType: 'text/html', body: html, headers: { 'Content-Security-Policy': policy } };
  },
  async getApiReferenceScript() {
    return { status: 200, mediaType: 'text/javascript', body: script() };
  },
  async getContractJson() {
    return { status: 200, body: document() };
  },
  async getContractYaml() {
    return { status: 200, mediaType: 'application/yaml', body: yaml() };
  },
} satisfies Pick<
  OperationHandlers,
  'getApiReference' | 'getApiReferenceScript' | 'getContractJson' | 'getContractYaml'
>;
