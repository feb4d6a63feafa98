// What must be undone however a benchmark ends (done, failed, interrupted, over time): server
// processes, temp dirs, scratch databases. Undone newest first, so servers stop before their
// database goes.
const cleanups = new Set<() => Promise<void>>();
const stop = new AbortController();

/** Aborted once the benchmark is being stopped early: the load generator sends nothing more. */
export const stopping: AbortSignal = stop.signal;

export function registerCleanup(cleanup: () => Promise<void>): void {
  cleanups.add(cleanup);
  // Registered while a stop is under way (the benchmark was in the middle of creating it):
  // undone as well, not left behind.
  if (stopping.aborted) void cleanUp();
}

let running: Promise<void> | undefined;

/** One pass at a time: a caller arriving during a pass waits for it, and for what it registered meanwhile. */
export function cleanUp(): Promise<void> {
  running ??= (async () => {
    for (let newest = [...cleanups].pop(); newest !== undefined; newest = [...cleanups].pop()) {
      cleanups.delete(newest);
      await newest().catch((error: unknown) => process.stderr.write(`cleanup failed: ${String(error)}\n`));
    }
  })().finally(() => {
    running = undefined;
  });
  return running;
}

const CLEANUP_LIMIT_MS = 60_000;

function stopEarly(code: number): void {
  if (stopping.aborted) return;
  stop.abort();
  setTimeout(() => {
    process.stderr.write(`cleanup took over ${CLEANUP_LIMIT_MS / 1000} s: exiting without it\n`);
    process.exit(code);
  }, CLEANUP_LIMIT_MS).unref();
  void cleanUp().finally(() => process.exit(code));
}

/** Cleans up on SIGINT/SIGTERM, on a crash, and once the benchmark has run `limitMs`. */
export function guard(limitMs: number): void {
  // Not once: under `npm run` a Ctrl-C arrives twice (from the terminal, and relayed by tsx),
  // and a second signal with no listener would end the process in the middle of the cleanup.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stopEarly(130));
  // E.g. a pg client whose connection a stop just cut: without this the process would die
  // on the spot and leave its servers and databases behind.
  process.on('uncaughtException', (error) => {
    process.stderr.write(`${error.stack ?? error.message}\n`);
    stopEarly(1);
  });
  setTimeout(() => {
    process.stderr.write(`the benchmark ran over ${limitMs / 1000} s: stopping\n`);
    stopEarly(1);
  }, limitMs).unref();
}

/** The script's main: on failure, the error is shown, everything is cleaned up, exit code 1. */
export function runMain(main: () => Promise<void>): void {
  main()
    .then(cleanUp)
    .catch(async (error: unknown) => {
      if (stopping.aborted) return; // stopped early: stopEarly() cleans up and exits
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      await cleanUp();
      process.exit(1);
    });
}
