/** True when an insert failed on a unique index, on either store. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { driverError?: { code?: string; errno?: number }; code?: string; errno?: number };
  const code = e.driverError?.code ?? e.code;
  const errno = e.driverError?.errno ?? e.errno;
  return errno === 1062 || code === "ER_DUP_ENTRY" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}
