// Empty projects outside the repository, so that Node and tsc resolve the packages only from
// what was installed into them, never from the repository's own node_modules.
import { execFile } from 'node:child_process';
import { lstat, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = fileURLToPath(new URL('../../', import.meta.url));

export type Run = { stdout: string; stderr: string };

/** Runs a command to its end; rejects with everything it printed unless it exits 0. */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: { ...process.env, ...options.env }, maxBuffer: 16 * 1024 * 1024, timeout: 240_000 },
      (error, stdout, stderr) => {
        if (error === null) resolve({ stdout, stderr });
        else
          reject(
            new Error(`${command} ${args.join(' ')} failed (${error.code ?? error.signal})\n${stdout}\n${stderr}`),
          );
      },
    );
  });
}

/**
 * An empty ES-module project in `dir` with the tarball (and `alongside`, e.g. `react@19.3.1`) installed
 * from npm's cache, as a user of the package installs it (`--omit=dev`); what npm printed, warnings
 * included, is returned.
 */
export async function installInto(dir: string, tarball: string, alongside: string[] = []): Promise<Run> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }),
  );
  return run('npm', ['install', tarball, ...alongside, '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: dir,
  });
}

/** Runs `node file` in the project; the file prints one JSON line, which is returned parsed. */
export async function runScript(
  dir: string,
  file: string,
  source: string,
  env: Record<string, string> = {},
): Promise<unknown> {
  await writeFile(path.join(dir, file), source);
  const { stdout } = await run(process.execPath, [file], { cwd: dir, env });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as unknown;
}

/** The repository's tsc over one file of the project, strict, without @types/node. */
export async function typecheck(dir: string, file: string, source: string): Promise<Run> {
  await writeFile(path.join(dir, file), source);
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      lib: ['ES2023', 'DOM'],
      strict: true,
      noEmit: true,
      types: [],
      // The packages' own .d.ts and their dependencies' are not checked one by one (that is
      // slow); every export is used below, with @ts-expect-error lines that fail if a type
      // turned into `any`.
      skipLibCheck: true,
    },
    files: [file],
  };
  await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  return run(process.execPath, [path.join(repo, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
    cwd: dir,
  });
}

/** Bytes of every file under `dir` (symbolic links count as links), like `du --apparent-size`. */
export async function treeSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? await treeSize(full) : (await lstat(full)).size;
  }
  return total;
}
