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
