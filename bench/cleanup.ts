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

function stopEarly(code: number): void {
  stop.abort();
  void cleanUp().finally(() => process.exit(code));
}

/** Cleans up on SIGINT/SIGTERM, on a crash, and once the benchmark has run `limitMs`. */
export function guard(limitMs: number): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stopEarly(130));
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
