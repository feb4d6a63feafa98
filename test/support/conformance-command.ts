// The conformance command as a CI job runs it: a child process, its output and exit code
// (0, 1 or 2 are all answers here, so none of them rejects), and the organizations file.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { adminInProcess } from './admin-command.js';

export interface CommandRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCommand(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<CommandRun> {
  return new Promise((resolve) => {
    const options = { cwd, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024, timeout: 240_000 };
    execFile(command, args, options, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

export type Credentials = { organization_id: string; client_id: string; client_secret: string };

/**
 * `--organizations FILE` as an operator makes it: `admin create-organization` once per role, in
 * this process (test/store/admin.test.ts runs the command as a process), one after the other: an
 * embedded database is open in one process at a time, and the first run migrates a new database.
 */
export async function adminOrganizations(file: string, env: Record<string, string>): Promise<string> {
  const create = async (role: string): Promise<[string, Credentials]> => {
    const email = `${role}-${Date.now()}@conformance.example`;
    const args = [
      'create-organization',
      '--name',
      `Conformance ${role}`,
      '--email',
      email,
      '--owner-email',
      `owner-${email}`,
    ];
    const run = await adminInProcess(args, env);
    if (run.code !== 0)
      throw new Error(`admin create-organization failed (${run.code}):\n${run.stdout}\n${run.stderr}`);
    return [role, JSON.parse(run.stdout) as Credentials];
  };
  const roles = ['host', 'guest', 'stranger'];
  const created: [string, Credentials][] = [];
  for (const role of roles) created.push(await create(role));
  await writeFile(file, JSON.stringify(Object.fromEntries(created)));
  return file;
}

/** `--organizations FILE`: each role exactly what `admin create-organization` prints. */
export async function writeOrganizations(
  file: string,
  organizations: Record<'host' | 'guest' | 'stranger', Credentials>,
): Promise<string> {
  await writeFile(file, JSON.stringify(organizations));
  return file;
}
