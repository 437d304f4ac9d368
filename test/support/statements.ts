import type { DataSource } from "typeorm";

/**
 * Counts the SQL statements the store's data sources send (the writer and, on SQLite, the separate
 * read connection), by swapping in a counting TypeORM logger: no hook in src is needed.
 */
export function countStatements(dataSources: DataSource[]): { reset(): void; readonly count: number } {
  let count = 0;
  for (const dataSource of dataSources) {
    const logger = dataSource.logger;
    const counting = Object.create(logger) as typeof logger;
    counting.logQuery = (...args: Parameters<typeof logger.logQuery>) => {
      count++;
      return logger.logQuery(...args);
    };
    Object.defineProperty(dataSource, "logger", { value: counting, configurable: true });
  }
  return {
    reset: () => void (count = 0),
    get count() {
      return count;
    },
  };
}

/** A statement sent while recording: which connection sent it (MySQL; 0 on SQLite) and its SQL. */
export interface Sent {
  connection: number;
  sql: string;
}

interface MysqlCommand {
  constructor: { name: string };
  sql?: string;
}
interface RecordedConnection {
  addCommand(command: MysqlCommand): unknown;
}
interface RecordedPool {
  on(event: "connection", listener: (connection: RecordedConnection) => void): unknown;
  _allConnections?: { toArray(): RecordedConnection[] };
}

/**
 * Records the SQL of every statement the store sends, on every path: on MySQL each query and
 * prepared-statement execution on the pool's connections (the write store sends on them directly,
 * past TypeORM's logger); on SQLite through a recording TypeORM logger on each data source.
 */
export function recordStatements(db: { pool: unknown; dataSource: DataSource; reader: { connection: DataSource } }): {
  start(): void;
  stop(): Sent[];
} {
  let sent: Sent[] | null = null;
  if (db.pool) {
    const pool = db.pool as RecordedPool;
    const numbers = new Map<RecordedConnection, number>();
    const watch = (connection: RecordedConnection) => {
      if (numbers.has(connection)) return;
      numbers.set(connection, numbers.size + 1);
      const add = connection.addCommand;
      connection.addCommand = function (this: RecordedConnection, command: MysqlCommand) {
        // PREPARE is sent once per connection and text; what runs is the EXECUTE after it.
        const name = command.constructor.name;
        if (sent && (name === "Query" || name === "Execute")) sent.push({ connection: numbers.get(connection)!, sql: command.sql ?? "" });
        return add.call(this, command);
      };
    };
    for (const connection of pool._allConnections?.toArray() ?? []) watch(connection);
    pool.on("connection", watch);
  } else {
    for (const dataSource of new Set([db.dataSource, db.reader.connection])) {
      const logger = dataSource.logger;
      const recording = Object.create(logger) as typeof logger;
      recording.logQuery = (...args: Parameters<typeof logger.logQuery>) => {
        sent?.push({ connection: 0, sql: args[0] });
        return logger.logQuery(...args);
      };
      Object.defineProperty(dataSource, "logger", { value: recording, configurable: true });
    }
  }
  return {
    start: () => void (sent = []),
    stop: () => {
      const all = sent ?? [];
      sent = null;
      return all;
    },
  };
}
