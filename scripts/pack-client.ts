// `npm run pack:client [-- --pack-destination DIR]`: the client alone, as a package for
// frontends: `connections-api-client`, built from client/ and generated/, whose one runtime
// dependency is openapi-fetch. Its root exports what `connections-api` exports at its root.
// The tarball is written to DIR (default: here) and its path is the last line printed.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const staging = path.join(root, '.tmp/pack-client');
const { values } = parseArgs({ options: { 'pack-destination': { type: 'string', default: process.cwd() } } });
const destination = path.resolve(values['pack-destination']);

type Manifest = {
  version: string;
  license: string;
  engines: Record<string, string>;
  dependencies: Record<string, string>;
};
const server = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;

rmSync(staging, { recursive: true, force: true });
// Emit only: `npm run typecheck` checks client/ (see scripts/build.ts).
execFileSync(
  process.execPath,
  [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.client.json'), '--noCheck'],
  {
    stdio: 'inherit',
  },
);
mkdirSync(path.join(staging, 'dist/generated'), { recursive: true });
cpSync(path.join(root, 'generated/openapi.d.ts'), path.join(staging, 'dist/generated/openapi.d.ts'));
cpSync(path.join(root, 'LICENSE'), path.join(staging, 'LICENSE'));
cpSync(path.join(root, 'scripts/client-package/README.md'), path.join(staging, 'README.md'));

const entry = { types: './dist/client/index.d.ts', import: './dist/client/index.js' };
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
  exports: { '.': entry, './types': { types: './dist/generated/openapi.d.ts' }, './package.json': './package.json' },
  files: ['dist'],
  // The same pin as the server package's, so both packages behave alike.
  dependencies: { 'openapi-fetch': server.dependencies['openapi-fetch'] },
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
