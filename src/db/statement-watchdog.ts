import type { Deadline } from "./deadline";

/** A mysql2 command (a query, a prepared statement's PREPARE or EXECUTE…): it emits "end" once answered. */
interface Command {
  once(event: "end", listener: () => void): unknown;
}

/** What the watchdog uses of a mysql2 connection (mysql2 3.x internals; the version is pinned in package.json). */
export interface WatchedConnection {
  addCommand(command: Command): unknown;
  on(event: "error", listener: () => void): unknown;
  stream: { destroy(): void };
  _handleFatalError(error: Error): void;
}

interface Pool {
  on(event: "connection", listener: (connection: WatchedConnection) => void): unknown;
  _allConnections?: { toArray(): WatchedConnection[] };
}

/** How long a command added now may wait for its answer, and whose deadline it counts against; null: no limit. */
export type LimitOf = () => { ms: number; deadline: Deadline | null } | null;

interface Pending {
  timer: NodeJS.Timeout;
  deadline: Deadline | null;
}

const watched = new WeakSet<object>();

/**
 * Closes the connection and fails every command on it: the one that did not answer and those
 * queued behind it, which mysql2 would never start. The socket is destroyed, not ended: a frozen
 * server never completes a polite close. mysql2's fatal-error path then answers each command with
 * `error` and takes the connection out of its pool (its "error" event).
 */
function kill(connection: WatchedConnection, pending: Map<Command, Pending>, ms: number): void {
  for (const { timer, deadline } of pending.values()) {
    clearTimeout(timer);
    deadline?.fail();
  }
  pending.clear();
  const error = Object.assign(new Error(`The database did not answer a statement within ${ms} ms; its connection was closed`), {
    code: "PROTOCOL_SEQUENCE_TIMEOUT",
  });
  connection.stream.destroy();
  connection._handleFatalError(error);
}

/**
 * Gives every command on `connection` a time limit from the moment it is queued (mysql2's own
 * statement timeout starts only once a command is sent, so a command queued behind a stuck one
 * would wait forever, and a PREPARE has none at all). When one is exceeded the connection is
 * closed, never returned to the pool with a statement stuck on it, and the deadlines of the
 * requests whose commands were on it are marked failed.
 */
export function watchConnection(connection: WatchedConnection, limitOf: LimitOf): void {
  if (watched.has(connection)) return;
  watched.add(connection);
  const pending = new Map<Command, Pending>();
  // Failed by mysql2 itself (the connection broke): nothing is left for the timers to end. (The
  // pool listens for "error" once; this also keeps a later one from being thrown as unhandled.)
  connection.on("error", () => {
    for (const { timer } of pending.values()) clearTimeout(timer);
    pending.clear();
  });
  const add = connection.addCommand;
  connection.addCommand = function (this: WatchedConnection, command: Command) {
    const limit = limitOf();
    if (limit) {
      const timer = setTimeout(() => kill(connection, pending, limit.ms), limit.ms);
      pending.set(command, { timer, deadline: limit.deadline });
      command.once("end", () => {
        clearTimeout(timer);
        pending.delete(command);
      });
    }
    return add.call(this, command);
  };
}

/** Watches every connection of a mysql2 pool, those open now and those it opens later. */
export function watchPool(pool: Pool, limitOf: LimitOf): void {
  for (const connection of pool._allConnections?.toArray() ?? []) watchConnection(connection, limitOf);
  pool.on("connection", (connection) => watchConnection(connection, limitOf));
}
