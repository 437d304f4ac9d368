import { Table, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from "typeorm";

/** The append-only record of versions flagged BAD or OK. */
export class VersionFlag1764500000001 implements MigrationInterface {
  name = "VersionFlag1764500000001";

  async up(runner: QueryRunner): Promise<void> {
    const type = runner.connection.driver.options.type;
    const collation = type === "mariadb" ? "utf8mb4_nopad_bin" : "utf8mb4_0900_bin";
    const str = (name: string, length: number, nullable = false): TableColumnOptions =>
      type === "better-sqlite3"
        ? { name, type: "varchar", length: String(length), isNullable: nullable }
        : { name, type: "varchar", length: String(length), isNullable: nullable, charset: "utf8mb4", collation };
    const int = (name: string): TableColumnOptions => ({ name, type: "integer" });
    await runner.createTable(
      new Table({
        name: "version_flag",
        columns: [
          { name: "id", type: "integer", isPrimary: true, isGenerated: true, generationStrategy: "increment" },
          int("deployment_id"),
          int("version_id"),
          str("status", 3),
          str("actor", 200),
          str("reason", 1000, true),
          { name: "at", type: "bigint" },
        ],
        indices: [
          new TableIndex({ name: "ix_flag_version", columnNames: ["version_id", "id"] }),
          new TableIndex({ name: "ix_flag_deployment", columnNames: ["deployment_id", "status"] }),
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable("version_flag");
  }
}
