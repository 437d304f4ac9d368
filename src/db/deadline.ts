import { ErrorCode, WaymarkError } from "../errors";

/** A request's database work (waits for a connection, statements) ends by this long after it first touched the pool. */
export const REQUEST_DEADLINE_MS = 10_000;
/** A request's statement waits for the database's answer at most this long (less when its deadline is nearer). */
export const STATEMENT_MS = 5_000;
/** A statement outside any request (key checks, retention, the readiness probe) waits at most this long. */
export const BACKGROUND_STATEMENT_MS = 10_000;

/** Driver codes of a database that did not answer: a statement's timeout, a connection attempt's. */
const NOT_ANSWERING = new Set(["PROTOCOL_SEQUENCE_TIMEOUT", "ETIMEDOUT"]);

/** Whether `error` (or what it wraps) says the database did not answer in time. */
export function isNotAnswering(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let current = error; current && typeof current === "object" && !seen.has(current);) {
    seen.add(current);
    const { code } = current as { code?: unknown };
    if (typeof code === "string" && NOT_ANSWERING.has(code)) return true;
    if (current instanceof WaymarkError && current.details.notAnswering === true) return true;
    const links = current as { driverError?: unknown; cause?: unknown };
    current = links.driverError ?? links.cause;
  }
  return false;
}

const unavailable = (message: string) => new WaymarkError(ErrorCode.UNAVAILABLE, message, { retryable: true, notAnswering: true });

/**
 * The time by which one request's database work must be done, so that a database that stops
 * answering (a frozen host, a partition) costs a request one bounded wait and an UNAVAILABLE
 * answer, never a hang. The clock starts at the first wait, not at construction, so a slow
 * client's upload does not eat it. Once one of the request's statements found the database not
 * answering, the request's further statements are refused at once: each would cost another
 * timeout, and a fresh connection's connect timeout after it.
 */
export class Deadline {
  private at: number | null = null;
  private failure: WaymarkError | null = null;

  constructor(
    private readonly ms = REQUEST_DEADLINE_MS,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  remaining(): number {
    const now = this.clock();
    this.at ??= now + this.ms;
    return this.at - now;
  }

  /** How long a statement sent now may wait for its answer. */
  statementMs(): number {
    return Math.max(0, Math.min(STATEMENT_MS, this.remaining()));
  }

  /** Throws UNAVAILABLE when the request may not start another wait on the database. */
  check(): void {
    if (this.failure) throw this.failure;
    if (this.remaining() <= 0) throw this.overdue();
  }

  /** The request's failure, once its time is up (or it met a database not answering). */
  overdue(): WaymarkError {
    return (this.failure ??= unavailable("The database did not answer in time; retry shortly."));
  }

  /** One of the request's waits found the database not answering. */
  fail(): void {
    this.failure ??= unavailable("The database is not answering; retry shortly.");
  }

  /**
   * `promise`, or UNAVAILABLE once the deadline passes first; a value that arrives after that
   * goes to `late` (a connection to release, say).
   */
  bound<T>(promise: Promise<T>, late: (value: T) => void = () => undefined): Promise<T> {
    try {
      this.check();
    } catch (error) {
      // Never thrown synchronously, and `promise` is still handled: its value released, its failure heard.
      promise.then(late, () => undefined);
      return Promise.reject(error as Error);
    }
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        reject(this.overdue());
      }, this.remaining());
      promise.then(
        (value) => {
          clearTimeout(timer);
          if (settled) late(value);
          else resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          if (!settled) reject(error as Error);
        },
      );
    });
  }
}
