import { Column, type ColumnOptions } from "typeorm";

/**
 * Timestamps are stored as epoch milliseconds in a BIGINT. Both stores keep them exactly
 * (docs/design.md, "Versions": millisecond precision, UTC) with no driver time-zone conversion, and the same column
 * definition serves MySQL and SQLite, so one migration set fits both.
 */
export const EpochMillis = (options: ColumnOptions = {}) =>
  Column({
    type: "bigint",
    ...options,
    transformer: {
      to: (value: Date | null | undefined) => (value == null ? value : value.getTime()),
      from: (value: string | number | null) => (value == null ? null : new Date(Number(value))),
    },
  });

/** JSON documents; MariaDB keeps them as LONGTEXT with a json_valid check, SQLite as TEXT. */
export const JsonColumn = (options: ColumnOptions = {}) => Column({ type: "json", ...options });
