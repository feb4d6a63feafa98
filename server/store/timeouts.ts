// The database timeouts' defaults, apart from the drivers so that reading the configuration
// loads no database code (`npm start` binds its port before it loads any).

/** Longest a statement may run before the database cancels it (`DATABASE_STATEMENT_TIMEOUT_MS`). */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 5000;
/** Longest a request waits for a pooled connection (`DATABASE_ACQUIRE_TIMEOUT_MS`). */
export const DEFAULT_ACQUIRE_TIMEOUT_MS = 3000;
