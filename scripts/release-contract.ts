// `npm run release:contract`: makes openapi.yaml the released contract that
// `npm run contract:diff` compares with. Run it when a version of the API is released; commit
// contract/released.yaml with the release. A release that breaks clients of the last one
// needs a new major `info.version`, or it is refused.
import { copyFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { classifyChanges } from './contract/breaking-changes.js';

const root = fileURLToPath(new URL('..', import.meta.url));
type Contract = { info: { version: string } };
const read = (file: string) => parse(readFileSync(`${root}${file}`, 'utf8')) as Contract;
const [released, current] = [read('contract/released.yaml'), read('openapi.yaml')];
const major = (contract: Contract) => Number(contract.info.version.split('.')[0]);

const { breaking } = classifyChanges(released, current);
if (breaking.length > 0 && major(current) <= major(released)) {
  console.error(
    `release:contract: openapi.yaml breaks clients of version ${released.info.version} in ${breaking.length} place(s) ` +
      `(see npm run contract:diff) but its version ${current.info.version} has the same major version: not released`,
  );
  process.exitCode = 1;
} else {
  copyFileSync(`${root}openapi.yaml`, `${root}contract/released.yaml`);
  console.log(`release:contract: contract/released.yaml is now openapi.yaml, version ${current.info.version}`);
}
