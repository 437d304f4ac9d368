import { Table, TableColumn, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from "typeorm";

/** API keys (stored as sha256) and the operator flag of the workspace created at first start. */
export class ApiKeys1764150000000 implements MigrationInterface {
  name = "ApiKeys1764150000000";

  async up(runner: QueryRunner): Promise<void> {
    const type = runner.connection.driver.options.type;
    const collation = type === "mariadb" ? "utf8mb4_nopad_bin" : "utf8mb4_0900_bin";
    const str = (name: string, length: number): TableColumnOptions =>
      type === "better-sqlite3"
        ? { name, type: "varchar", length: String(length) }
        : { name, type: "varchar", length: String(length), charset: "utf8mb4", collation };
    await runner.addColumn("workspace", new TableColumn({ name: "operator", type: "boolean", default: 0 }));
    await runner.createTable(
      new Table({
        name: "api_key",
        columns: [
          { name: "id", type: "integer", isPrimary: true, isGenerated: true, generationStrategy: "increment" },
          { name: "workspace_id", type: "integer" },
          str("name", 100),
          str("prefix", 20),
          str("hash", 64),
          str("scopes", 100),
          { name: "created_at", type: "bigint" },
          str("created_by", 100),
          { name: "revoked_at", type: "bigint", isNullable: true },
        ],
        indices: [
          new TableIndex({ name: "uq_api_key_hash", columnNames: ["hash"], isUnique: true }),
          new TableIndex({ name: "ix_api_key_workspace", columnNames: ["workspace_id", "id"] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: "fk_api_key_workspace",
            columnNames: ["workspace_id"],
            referencedTableName: "workspace",
            referencedColumnNames: ["id"],
            onDelete: "RESTRICT",
            onUpdate: "NO ACTION",
          }),
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable("api_key");
    await runner.dropColumn("workspace", "operator");
  }
}
