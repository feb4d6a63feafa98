// `npm run generate:check` is what keeps generated/openapi.d.ts honest: it must pass on the
// committed pair and fail as soon as the contract changes without regenerating. Both runs use
// the script exactly as package.json defines it, on copies in temporary directories.
import { exec } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, test } from 'vitest';
import { parseDocument } from 'yaml';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dirs: string[] = [];

async function copyOfContract(change?: (yaml: string) => string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'generate-check-'));
  dirs.push(dir);
  await cp(join(root, 'generated'), join(dir, 'generated'), { recursive: true });
  const yaml = await readFile(join(root, 'openapi.yaml'), 'utf8');
  await writeFile(join(dir, 'openapi.yaml'), change ? change(yaml) : yaml);
  return dir;
}

async function generateCheck(dir: string): Promise<number> {
  const scripts = (JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const command = scripts['generate:check'];
  if (command === undefined) throw new Error('package.json has no generate:check script');
  const env = { ...process.env, PATH: `${join(root, 'node_modules/.bin')}${delimiter}${process.env.PATH ?? ''}` };
  return promisify(exec)(command, { cwd: dir, env }).then(
    () => 0,
    (error: { code: number }) => error.code,
  );
}

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

test('generate:check passes on the contract as committed and fails on a schema change not regenerated', async () => {
  const addStatus = (yaml: string) => {
    const document = parseDocument(yaml);
    const path = ['components', 'schemas', 'ConnectionStatus', 'enum'];
    const statuses = (document.getIn(path) as { toJSON(): string[] }).toJSON();
    document.setIn(path, [...statuses, 'paused']);
    return document.toString();
  };
  const [unchanged, changed] = await Promise.all([copyOfContract(), copyOfContract(addStatus)]);
  const [unchangedCode, changedCode] = await Promise.all([generateCheck(unchanged), generateCheck(changed)]);
  expect({ unchanged: unchangedCode, changed: changedCode }).toEqual({ unchanged: 0, changed: 1 });
});
