// `npm run generate`: everything derived from openapi.yaml, and the tables' types from the
// migrations (generated/database.ts), written into generated/ (scripts/generate/outputs.ts).
// `npm run generate:check` (`--check`) writes nothing and fails when a file there is stale.
// Paths are relative to the working directory, so a copy of the contract can be generated too.
import { staleFiles, writeOutputs } from './generate/outputs.js';

const sources = 'openapi.yaml and server/store/migrations';

async function main(): Promise<void> {
  if (!process.argv.includes('--check')) {
    await writeOutputs(process.cwd());
    console.error(`generated/ written from ${sources}`);
    return;
  }
  const stale = await staleFiles(process.cwd());
  if (stale.length > 0) {
    console.error(
      `generate:check: ${stale.join(', ')} ${stale.length === 1 ? 'is' : 'are'} not up to date with ${sources}; run npm run generate`,
    );
    process.exit(1);
  }
  console.error(`generated/ is up to date with ${sources}`);
}

main().catch((error: unknown) => {
  console.error(`generate: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
