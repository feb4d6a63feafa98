// The operator's command: `npm run admin -- <command> [options]` (scripts/admin/command.ts).
// stdout carries exactly one JSON line, the result, so scripts can parse it (`demo`: the
// walkthrough, a bash script); everything else goes to stderr. Exit codes: 0 done, 1 failed,
// 2 wrong usage.
import { runAdmin } from './admin/command.js';

const io = {
  env: process.env,
  stdout: (text: string) => process.stdout.write(text),
  stderr: (text: string) => process.stderr.write(text),
};

runAdmin(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`admin: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
