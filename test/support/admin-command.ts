// The admin command in the test's own process (scripts/admin/command.ts), with what it printed.
import { runAdmin } from '../../scripts/admin/command.js';

export type AdminRun = { code: number; stdout: string; stderr: string };

/** Runs `admin ...args` with `env` as its whole environment. */
export async function adminInProcess(args: string[], env: Record<string, string | undefined>): Promise<AdminRun> {
  const printed = { stdout: '', stderr: '' };
  const code = await runAdmin(args, {
    env,
    stdout: (text) => {
      printed.stdout += text;
    },
    stderr: (text) => {
      printed.stderr += text;
    },
  });
  return { code, ...printed };
}
