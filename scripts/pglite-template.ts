// `npm ci` and `npm pack` (the `prepare` script): makes the PGlite template unless it exists,
// so the first `npm start` copies a prepared data directory instead of running initdb.
import { ensureTemplate } from '../server/store/pglite-template.js';

const started = performance.now();
const file = await ensureTemplate();
console.error(`pglite template: ${file} (${Math.round(performance.now() - started)} ms)`);
