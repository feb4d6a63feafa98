// The conformance command as a CI job runs it: a child process, its output and exit code
// (0, 1 or 2 are all answers here, so none of them rejects), and the organizations file.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';

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
 * `--organizations FILE` as an operator makes it: `admin create-organization` once per role, run
 * as `npm run -s admin --` runs it (without npm's own start-up). On an embedded database one
 * after the other (it is open in one process at a time); on PostgreSQL side by side.
 */
export async function adminOrganizations(file: string, cwd: string, env: Record<string, string>): Promise<string> {
  const create = async (role: string): Promise<[string, Credentials]> => {
    const email = `${role}-${Date.now()}@conformance.example`;
    const args = ['--import', 'tsx', 'scripts/admin.ts', 'create-organization', '--name', `Conformance ${role}`];
    const run = await runCommand(
      process.execPath,
      [...args, '--email', email, '--owner-email', `owner-${email}`],
      cwd,
      env,
    );
    if (run.code !== 0)
      throw new Error(`admin create-organization failed (${run.code}):\n${run.stdout}\n${run.stderr}`);
    return [role, JSON.parse(run.stdout) as Credentials];
  };
  const roles = ['host', 'guest', 'stranger'];
  const created: [string, Credentials][] = [];
  if (env.DATABASE_URL !== undefined) created.push(...(await Promise.all(roles.map(create))));
  else for (const role of roles) created.push(await create(role));
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
