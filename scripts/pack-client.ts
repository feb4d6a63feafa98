// `npm run pack:client [-- --pack-destination DIR] [--built]`: the client alone, as a package
// for frontends: `connections-api-client`, the client/ and generated/ files of `npm run build`'s
// dist/ (one compile for both packages), whose one runtime dependency is openapi-fetch. Its root
// exports what `connections-api` exports at its root; `./react` (TanStack Query hooks), `./msw`
// (MSW handlers) and `./webhooks` (verifyWebhook, for receivers) need optional peer dependencies.
// The tarball is written to DIR (default: here) and its path is the last line printed.
// `--built`: dist/ was just built (by `npm pack`'s prepack or `npm run build`): pack it as it is.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const staging = path.join(root, '.tmp/pack-client');
const { values } = parseArgs({
  options: {
    'pack-destination': { type: 'string', default: process.cwd() },
    built: { type: 'boolean', default: false },
  },
});
const destination = path.resolve(values['pack-destination']);

type Manifest = {
  version: string;
  license: string;
  engines: Record<string, string>;
  dependencies: Record<string, string>;
};
const server = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;

rmSync(staging, { recursive: true, force: true });
// The build's output goes to stderr: stdout ends with the tarball's path.
if (!values.built) execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 2, 2] });
const dist = path.join(root, 'dist');
cpSync(path.join(dist, 'client'), path.join(staging, 'dist/client'), { recursive: true });
// The generated types and modules the client imports; openapi.json is the server's.
cpSync(path.join(dist, 'generated'), path.join(staging, 'dist/generated'), {
  recursive: true,
  filter: (file) => path.basename(file) !== 'openapi.json',
});
cpSync(path.join(root, 'LICENSE'), path.join(staging, 'LICENSE'));
cpSync(path.join(root, 'scripts/client-package/README.md'), path.join(staging, 'README.md'));

const entry = { types: './dist/client/index.d.ts', import: './dist/client/index.js' };
const subEntry = (name: string) => ({
  types: `./dist/client/${name}/index.d.ts`,
  import: `./dist/client/${name}/index.js`,
});
// Only `./react`, `./msw` and `./webhooks` import these, so the plain client installs without them. The ranges
// are those the entries work with: openapi-react-query 0.5.4 needs TanStack Query 5.80 and
// openapi-fetch 0.17 (the client's), openapi-msw 2 needs msw 2.10.5; React as TanStack Query allows;
// `./webhooks` verifies with standardwebhooks 1.3 and checks bodies with Ajv 8 (2020-12) and its formats.
const peerDependencies = {
  react: '^18 || ^19',
  '@tanstack/react-query': '^5.80.0',
  'openapi-react-query': '^0.5.4',
  msw: '^2.10.5',
  'openapi-msw': '^2.0.0',
  standardwebhooks: '^1.3.0',
  ajv: '^8.17.0',
  'ajv-formats': '^3.0.1',
};
const manifest = {
  name: 'connections-api-client',
  version: server.version,
  description: 'Typed openapi-fetch client of the Connections API, for browsers and Node.js',
  type: 'module',
  license: server.license,
  engines: server.engines,
  sideEffects: false,
  main: entry.import,
  types: entry.types,
  exports: {
    '.': entry,
    './react': subEntry('react'),
    './msw': subEntry('msw'),
    './webhooks': subEntry('webhooks'),
    './types': { types: './dist/generated/openapi.d.ts' },
    './package.json': './package.json',
  },
  files: ['dist'],
  // The same pin as the server package's, so both packages behave alike.
  dependencies: { 'openapi-fetch': server.dependencies['openapi-fetch'] },
  peerDependencies,
  peerDependenciesMeta: Object.fromEntries(Object.keys(peerDependencies).map((name) => [name, { optional: true }])),
};
writeFileSync(path.join(staging, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

mkdirSync(destination, { recursive: true });
const packed = JSON.parse(
  execFileSync('npm', ['pack', '--json', '--pack-destination', destination], {
    cwd: staging,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }),
) as { filename: string }[];
const filename = packed[0]?.filename;
if (filename === undefined) throw new Error('npm pack reported no tarball');
console.log(path.join(destination, filename));
