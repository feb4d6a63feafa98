const UNIQUE_VIOLATION = '23505';

/** PostgreSQL refused a row that a unique index or primary key already holds (same SQLSTATE on both engines). */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === UNIQUE_VIOLATION;
}
