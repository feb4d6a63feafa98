// Where Scalar's standalone (UMD) bundle, the script /docs loads, is read from. Scalar is a
// development dependency: `npm run build` copies the bundle and its licence into dist/api-reference/,
// beside the compiled server, and a clone reads it from node_modules.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder under dist/ that holds the copy; there is none beside server/ in a clone. */
export const BUNDLE_FOLDER = 'api-reference';
const copied = fileURLToPath(new URL(`../../../${BUNDLE_FOLDER}/standalone.js`, import.meta.url));

const require = createRequire(import.meta.url);

/** The package's own file; its `exports` do not name it, so it is found beside the entry point. */
export function installedBundle(): string {
  return join(dirname(require.resolve('@scalar/api-reference')), 'browser', 'standalone.js');
}

export const bundlePath = (): string => (existsSync(copied) ? copied : installedBundle());
