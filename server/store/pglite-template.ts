// A new PGlite database starts from a prepared data directory instead of running initdb and
// the migrations, which take seconds. The template is what initdb makes with every migration
// applied, kept as one gzipped tarball per PGlite version and list of migrations in
// `pglite-template/` at the package root: a new migration names a new template, so one never
// goes stale. `npm ci` makes it (the `prepare` script), `npm pack` ships it, and a start that
// finds none makes it and keeps it.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { migrateToLatest, migrationNames } from './migrate.js';
import { PGliteDialect } from './pglite-dialect.js';
import { packageRoot, pgliteVersion } from './pglite-version.js';
import type { Database } from './schema.js';

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);

const TEMPLATE_DIR = path.join(packageRoot(fileURLToPath(import.meta.url)), 'pglite-template');

/** Which migrations a template holds, in its name. */
const migrationsKey = (): string => createHash('sha256').update(migrationNames.join('\n')).digest('hex').slice(0, 12);

function templateFile(): string {
  return path.join(TEMPLATE_DIR, `pglite-${pgliteVersion()}-${migrationsKey()}.tar.gz`);
}

/** The options a template is made with: the extensions the migrations create. */
type TemplateOptions = Pick<PGliteOptions, 'extensions'>;

/** The template as an uncompressed tarball for `loadDataDir`, or undefined when there is none yet. */
async function readTemplate(): Promise<Blob | undefined> {
  const compressed = await readFile(templateFile()).catch((error: unknown) => {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return undefined;
    throw error;
  });
  // Node's zlib, not PGlite's own stream decompression, which is several times slower.
  return compressed === undefined ? undefined : new Blob([await gunzipAsync(compressed)]);
}

/**
 * A migrated PGlite (in memory, or in `options.dataDir` when that holds no database yet)
 * started from the template. Without a template, initdb and the migrations run once and
 * their result becomes the template.
 */
export async function createFromTemplate(options: Omit<PGliteOptions, 'loadDataDir'>): Promise<PGlite> {
  const template = (await readTemplate()) ?? (await makeTemplate(options));
  return PGlite.create({ ...options, loadDataDir: template });
}

/** Makes the template unless it exists; returns its path. For `npm ci` and `npm pack`. */
export async function ensureTemplate(options: TemplateOptions): Promise<string> {
  if (!existsSync(templateFile())) await makeTemplate(options);
  return templateFile();
}

/**
 * Starts from the template of the earlier migrations when there is one (a new migration then
 * costs itself, not initdb and every migration again); from initdb when there is none, or when
 * that template applied a migration that is no longer in the list (another branch's).
 */
async function makeTemplate({ extensions }: TemplateOptions): Promise<Blob> {
  const earlier = await earlierTemplate();
  const dump =
    (earlier === undefined ? undefined : await migrated({ extensions, loadDataDir: earlier }).catch(() => undefined)) ??
    (await migrated({ extensions }));
  await saveTemplate(dump);
  return dump;
}

async function migrated(options: PGliteOptions): Promise<Blob> {
  const pglite = await PGlite.create(options);
  try {
    await migrateToLatest(new Kysely<Database>({ dialect: new PGliteDialect(pglite) }));
    return await pglite.dumpDataDir('none');
  } finally {
    await pglite.close();
  }
}

/** A template of this PGlite version made for other migrations (saveTemplate keeps one), uncompressed. */
async function earlierTemplate(): Promise<Blob | undefined> {
  const prefix = `pglite-${pgliteVersion()}-`;
  const names = await readdir(TEMPLATE_DIR).catch(() => []);
  const name = names.find((name) => name.startsWith(prefix) && name.endsWith('.tar.gz'));
  return name === undefined ? undefined : new Blob([await gunzipAsync(await readFile(path.join(TEMPLATE_DIR, name)))]);
}

/**
 * Written whole under a private name, then renamed: a process reading it never sees half a
 * file, and two starts making it at once both succeed. Templates of other PGlite versions are
 * removed. Where the package folder is read-only the template is simply not kept.
 */
async function saveTemplate(dump: Blob): Promise<void> {
  const file = templateFile();
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await mkdir(TEMPLATE_DIR, { recursive: true });
    await writeFile(draft, await gzipAsync(Buffer.from(await dump.arrayBuffer())));
    await rename(draft, file);
    for (const name of await readdir(TEMPLATE_DIR)) {
      if (name !== path.basename(file) && /^pglite-.*\.tar\.gz$/.test(name))
        await unlink(path.join(TEMPLATE_DIR, name)).catch(() => {});
    }
  } catch (error) {
    await unlink(draft).catch(() => {});
    if (
      !(
        error instanceof Error &&
        'code' in error &&
        (error.code === 'EACCES' || error.code === 'EROFS' || error.code === 'EPERM')
      )
    )
      throw error;
  }
}
