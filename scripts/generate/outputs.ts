// What `npm run generate` writes into generated/ of a project folder, and which of those files
// are stale there (what `npm run generate:check` fails on): everything derived from openapi.yaml,
// and the tables' types from the migrations (generated/database.ts).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { databaseModule, isCurrentDatabaseModule } from './database.js';
import { examplesModule } from './examples.js';
import { operationTableModule } from './operation-table.js';
import { generateTypes } from './types.js';

const DATABASE_FILE = 'generated/database.ts';

/** The files made from `root`'s openapi.yaml, by path relative to `root`. */
async function contractOutputs(root: string): Promise<Record<string, string>> {
  const contractFile = path.join(root, 'openapi.yaml');
  const document = parse(await readFile(contractFile, 'utf8')) as Record<string, unknown>;
  return {
    'generated/openapi.d.ts': await generateTypes(pathToFileURL(contractFile)),
    'generated/operations.ts': operationTableModule(document),
    'generated/examples.ts': examplesModule(document),
    'generated/openapi.json': `${JSON.stringify(document, null, 2)}\n`,
  };
}

const current = (root: string, file: string) => readFile(path.join(root, file), 'utf8').catch(() => undefined);

/**
 * The files of `root`'s generated/ that are not what generation makes. The tables' module is
 * judged by the hashes its header records, so no database is started.
 */
export async function staleFiles(root: string): Promise<string[]> {
  const stale: string[] = [];
  for (const [file, content] of Object.entries(await contractOutputs(root)))
    if ((await current(root, file)) !== content) stale.push(file);
  if (!(await isCurrentDatabaseModule(await current(root, DATABASE_FILE)))) stale.push(DATABASE_FILE);
  return stale;
}

/** Writes every file of `root`'s generated/ that changed; the tables' module from a fresh PGlite. */
export async function writeOutputs(root: string): Promise<void> {
  // The PGlite starts while the types are generated.
  const database = databaseModule();
  const outputs = { ...(await contractOutputs(root)), [DATABASE_FILE]: await database };
  for (const [file, content] of Object.entries(outputs))
    if ((await current(root, file)) !== content) await writeFile(path.join(root, file), content);
}
