// `npm ci` and `npm pack` (the `prepare` script): makes the PGlite template unless it exists,
// so the first `npm start` copies a prepared, migrated data directory instead of running
// initdb and the migrations.
import { ensurePgliteTemplate } from '../server/store/database.js';

const started = performance.now();
const file = await ensurePgliteTemplate();
console.error(`pglite template: ${file} (${Math.round(performance.now() - started)} ms)`);
