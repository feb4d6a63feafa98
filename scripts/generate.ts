// `npm run generate`: everything derived from openapi.yaml, and the tables' types from the
// migrations (generated/database.ts), written into generated/.
// `npm run generate:check` (`--check`) writes nothing and fails when a file there is stale.
// Paths are relative to the working directory, so a copy of the contract can be generated too.
import { readFile, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { databaseModule, isCurrentDatabaseModule } from './generate/database.js';
import { examplesModule } from './generate/examples.js';
import { operationTableModule } from './generate/operation-table.js';
import { generateTypes } from './generate/types.js';

const check = process.argv.includes('--check');
const contractFile = 'openapi.yaml';
const sources = `${contractFile} and server/store/migrations`;

async function main(): Promise<void> {
  const text = await readFile(contractFile, 'utf8');
  const document = parse(text) as Record<string, unknown>;
  const databaseFile = 'generated/database.ts';
  // Made from a fresh PGlite, started while the types are generated; --check judges the committed
  // module by the hashes its header records instead, and starts no database.
  const database = check ? undefined : databaseModule();
  const outputs: Record<string, string> = {
    'generated/openapi.d.ts': await generateTypes(pathToFileURL(contractFile)),
    'generated/operations.ts': operationTableModule(document),
    'generated/examples.ts': examplesModule(document),
    'generated/openapi.json': `${JSON.stringify(document, null, 2)}\n`,
  };
  if (database !== undefined) outputs[databaseFile] = await database;
  const stale: string[] = [];
  for (const [file, content] of Object.entries(outputs)) {
    const current = await readFile(file, 'utf8').catch(() => undefined);
    if (current === content) continue;
    if (check) stale.push(file);
    else await writeFile(file, content);
  }
  if (check && !(await isCurrentDatabaseModule(await readFile(databaseFile, 'utf8').catch(() => undefined))))
    stale.push(databaseFile);
  if (stale.length > 0) {
    console.error(
      `generate:check: ${stale.join(', ')} ${stale.length === 1 ? 'is' : 'are'} not up to date with ${sources}; run npm run generate`,
    );
    process.exit(1);
  }
  console.error(check ? `generated/ is up to date with ${sources}` : `generated/ written from ${sources}`);
}

main().catch((error: unknown) => {
  console.error(`generate: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
