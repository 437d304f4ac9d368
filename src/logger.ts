import pino from "pino";

/** The structured logger every component receives; pino writes one JSON object per line. */
export type Logger = pino.Logger;

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: "waymark" }, serializers: { err: safeError, error: safeError } }, destination);
}

/**
 * Properties of TypeORM and driver errors that carry the values of a statement: bound
 * parameters, the SQL with values inlined (mysql2's `sql` for a non-prepared query), the
 * server's message (which quotes values: "Duplicate entry 'x'…"), the wrapped driver error.
 */
const VALUE_BEARING = new Set(["parameters", "driverError", "sql", "sqlMessage", "values", "raw"]);
const MAX_STATEMENT = 2_000;
const MAX_CAUSES = 5;

type Fields = Record<string, unknown>;

/** An error from a database driver, bare or wrapped by TypeORM (QueryFailedError). */
function isDatabaseError(error: Fields): boolean {
  return "driverError" in error || "sqlState" in error || "sqlMessage" in error || (typeof error.code === "string" && error.code.startsWith("SQLITE_"));
}

/** The stack's frames without its first line, which repeats the message. */
function framesOf(error: Fields): string | undefined {
  if (typeof error.stack !== "string") return undefined;
  const at = error.stack.indexOf("\n    at ");
  return at < 0 ? undefined : error.stack.slice(at + 1);
}

/**
 * Logs a database error as its statement text (placeholders, never values), code, errno and
 * SQL state, and where it was raised: enough to find the statement, nothing a client stored.
 */
function databaseError(error: Fields, type: string): Fields {
  const driver = (typeof error.driverError === "object" && error.driverError !== null ? error.driverError : error) as Fields;
  const code = error.code ?? driver.code;
  const statement = typeof error.query === "string" ? error.query.slice(0, MAX_STATEMENT) : undefined;
  const frames = framesOf(error);
  return {
    type,
    message: `database error ${String(code ?? "")}`.trim(),
    statement,
    code,
    errno: error.errno ?? driver.errno,
    sqlState: error.sqlState ?? driver.sqlState,
    stack: frames && `${type}: ${String(code ?? "database error")}\n${frames}`,
  };
}

/**
 * pino's serializer for `err` and `error`: every error logged goes through here, so no log line
 * can carry a statement's bound values, whichever component logs it.
 */
export function safeError(value: unknown, depth = 0): unknown {
  if (typeof value !== "object" || value === null || typeof (value as Fields).message !== "string") return value;
  const error = value as Fields;
  const type = (error.constructor as { name?: string } | undefined)?.name ?? String(error.name ?? "Error");
  if (isDatabaseError(error)) return databaseError(error, type);
  const out: Fields = { type, message: error.message, stack: error.stack };
  for (const key of Object.keys(error)) {
    if (key in out || VALUE_BEARING.has(key)) continue;
    const field = error[key];
    const nested = (item: unknown) =>
      typeof item === "object" && item !== null && typeof (item as Fields).message === "string"
        ? depth < MAX_CAUSES
          ? safeError(item, depth + 1)
          : "[error]"
        : item;
    out[key] = Array.isArray(field) ? field.map(nested) : nested(field);
  }
  if (error.cause !== undefined && depth < MAX_CAUSES) out.cause = safeError(error.cause, depth + 1);
  return out;
}
