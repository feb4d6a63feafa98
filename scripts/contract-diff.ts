// `npm run contract:diff`: the breaking-change gate, part of `npm test`. Compares openapi.yaml
// with the contract of the last release, contract/released.yaml, and exits 1 listing every
// change that breaks a client of that release (an operation or response field removed, a type
// narrowed, a new required request field or parameter, a request enum value removed, …).
// Offline: the comparison runs in this process. `--released FILE` and `--current FILE`
// compare other files (the tests use them on broken copies).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { classifyChanges } from './contract/breaking-changes.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    released: { type: 'string', default: path.join(root, 'contract/released.yaml') },
    current: { type: 'string', default: path.join(root, 'openapi.yaml') },
  },
});

const read = (file: string) => parse(readFileSync(file, 'utf8')) as { info?: { version?: string } };
const [released, current] = [read(values.released), read(values.current)];
const name = (file: string) => path.relative(process.cwd(), file) || file;
const { breaking, other } = classifyChanges(released, current);
const against = `${name(values.released)} (version ${released.info?.version ?? '?'})`;

if (breaking.length === 0) {
  console.log(
    `contract:diff: ${name(values.current)} is compatible with ${against}: ${other} change(s), none breaking`,
  );
} else {
  console.error(`contract:diff: ${name(values.current)} breaks clients of ${against} in ${breaking.length} place(s):`);
  for (const change of breaking) console.error(`  ${change.description}  at ${change.pointer}`);
  console.error('A breaking change needs a new major version of the API, released with `npm run release:contract`.');
  process.exitCode = 1;
}
