// `npm run generate:check` is what keeps generated/ honest: it must pass on the committed files
// and fail as soon as the contract changes without regenerating. On copies of the contract and
// generated/ in temporary directories: each copy is judged by the check itself (in process, as
// the script calls it), and one stale copy by the script as package.json defines it, for its exit code.
import { exec } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, test } from 'vitest';
import { parseDocument } from 'yaml';
import { staleFiles } from '../../scripts/generate/outputs.js';

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
  const scripts = (
    JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts;
  // The script's own files are the project's: it reads and writes paths of the working directory.
  const command = scripts['generate:check']?.replace('scripts/', join(root, 'scripts/'));
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

const change = (path: string[], edit: (value: unknown) => unknown) => (yaml: string) => {
  const document = parseDocument(yaml);
  const node = document.getIn(path, true) as { toJSON(): unknown };
  document.setIn(path, edit(node.toJSON()));
  return document.toString();
};

test("generate:check passes on the contract as committed and fails on a change of types, of the table, of the document or of the tables' types", async () => {
  const changes = {
    // A new enum value: the types change.
    types: change(['components', 'schemas', 'ConnectionStatus', 'enum'], (statuses) => [
      ...(statuses as string[]),
      'paused',
    ]),
    // A new base path: the operation table changes, the types do not.
    table: change(['servers'], () => [{ url: 'http://127.0.0.1:3000/v2' }]),
    // Only prose: generated/openapi.json changes.
    document: change(['info', 'summary'], () => 'Another summary.'),
  };
  const dirs = await Promise.all([copyOfContract(), ...Object.values(changes).map((edit) => copyOfContract(edit))]);
  // The tables' types, edited by hand: no longer what the migrations make.
  const tables = await copyOfContract();
  const database = join(tables, 'generated/database.ts');
  await writeFile(database, (await readFile(database, 'utf8')).replace('  n: number;', '  n: string;'));
  const [committed, types, table, document] = dirs as [string, string, string, string];
  expect(await Promise.all([committed, types, table, document, tables].map(staleFiles))).toEqual([
    [],
    ['generated/openapi.d.ts', 'generated/operations.ts', 'generated/openapi.json'],
    ['generated/operations.ts', 'generated/openapi.json'],
    ['generated/openapi.json'],
    ['generated/database.ts'],
  ]);
  expect(await generateCheck(types)).toBe(1);
}, 90_000);
