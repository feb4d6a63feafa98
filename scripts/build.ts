// `npm run build`, and `npm pack` through `prepack`: dist/ as the package ships it. The
// compiled server and client, the generated types (a .d.ts that tsc does not emit, only
// reads) and the contract, which the server reads at run time from dist/openapi.yaml.
// `--noCheck`: tsc only emits here; `npm run typecheck` (part of `npm test`) checks the same
// files, and checking them twice would double the build's time.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = `${root}node_modules/typescript/bin/tsc`;

rmSync(`${root}dist`, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', `${root}tsconfig.build.json`, '--noCheck'], { stdio: 'inherit' });
cpSync(`${root}generated/openapi.d.ts`, `${root}dist/generated/openapi.d.ts`);
cpSync(`${root}openapi.yaml`, `${root}dist/openapi.yaml`);
