// The admin command in the test's own process (scripts/admin/command.ts), with what it printed,
// and the environment every test runs it with, in process or as a child.
import { runAdmin } from '../../scripts/admin/command.js';

export type AdminRun = { code: number; stdout: string; stderr: string };

/** `env` over this process's environment, without the DATABASE_URL a test run may have set. */
export function commandEnv(env: Record<string, string>): Record<string, string | undefined> {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  return { ...inherited, ...env };
}

/** Runs `admin ...args` with `env` over this process's environment (commandEnv). */
export async function adminInProcess(args: string[], env: Record<string, string>): Promise<AdminRun> {
  const printed = { stdout: '', stderr: '' };
  const code = await runAdmin(args, {
    env: commandEnv(env),
    stdout: (text) => {
      printed.stdout += text;
    },
    stderr: (text) => {
      printed.stderr += text;
    },
  });
  return { code, ...printed };
}
