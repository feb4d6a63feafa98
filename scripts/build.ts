// `npm run build`, and `npm pack` through `prepack`: dist/ as the package ships it. The
// compiled server and client, the generated types (a .d.ts that tsc does not emit, only
// reads) and the contract, which the server reads at run time from dist/openapi.yaml and
// dist/generated/openapi.json (a JSON file tsc does not emit either); and
// Scalar's bundle for /docs with its licence, since the package does not depend on Scalar.
// `--noCheck`: tsc only emits here; `npm run typecheck` (part of `npm test`) checks the same
// files, and checking them twice would double the build's time. Both run TypeScript 7, the native
// compiler (the `typescript-7` alias: ~5 times less CPU); `typescript` stays 5.9 for the tools
// that use its JavaScript API, which 7.0 does not have (openapi-typescript, test/mutation).
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_FOLDER, installedBundle } from '../server/http/handlers/reference-bundle.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = `${root}node_modules/typescript-7/bin/tsc`;

rmSync(`${root}dist`, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', `${root}tsconfig.build.json`, '--noCheck'], { stdio: 'inherit' });
for (const file of ['openapi.d.ts', 'openapi.json'])
  cpSync(`${root}generated/${file}`, `${root}dist/generated/${file}`);
cpSync(`${root}openapi.yaml`, `${root}dist/openapi.yaml`);
// npm makes a bin executable when it installs or links the package, not when tsc rewrites it:
// without this, `npx` in a checkout that linked the command once is refused it after a rebuild.
const { bin } = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { bin: Record<string, string> };
for (const file of Object.values(bin)) chmodSync(`${root}${file}`, 0o755);

// @scalar/api-reference ships no LICENSE file; its README points to the Scalar repository's MIT
// licence, which the @scalar/api-client it bundles ships as is. Packages are found the way Node
// looks for them from the bundle: neither package's `exports` names its package.json.
const bundle = installedBundle();
const licence = (createRequire(bundle).resolve.paths('@scalar/api-client') ?? [])
  .flatMap((modules) => [join(modules, '@scalar/api-reference/LICENSE'), join(modules, '@scalar/api-client/LICENSE')])
  .find(existsSync);
if (licence === undefined) throw new Error(`no licence found for ${bundle}`);
cpSync(bundle, `${root}dist/${BUNDLE_FOLDER}/standalone.js`);
cpSync(licence, `${root}dist/${BUNDLE_FOLDER}/LICENSE`);
