import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from "typeorm";

/**
 * The workspace audit log, and the details (e.g. settings before and after) a live-log entry
 * carries to subscribers. Audit entries have no foreign keys: they outlive what they describe.
 */
export class AuditLog1764400000000 implements MigrationInterface {
  name = "AuditLog1764400000000";

  async up(runner: QueryRunner): Promise<void> {
    const type = runner.connection.driver.options.type;
    const collation = type === "mariadb" ? "utf8mb4_nopad_bin" : "utf8mb4_0900_bin";
    const str = (name: string, length: number, nullable = false): TableColumnOptions =>
      type === "better-sqlite3"
        ? { name, type: "varchar", length: String(length), isNullable: nullable }
        : { name, type: "varchar", length: String(length), isNullable: nullable, charset: "utf8mb4", collation };
    const int = (name: string, nullable = false): TableColumnOptions => ({ name, type: "integer", isNullable: nullable });
    await runner.createTable(
      new Table({
        name: "audit_entry",
        columns: [
          { name: "id", type: "integer", isPrimary: true, isGenerated: true, generationStrategy: "increment" },
          int("workspace_id"),
          str("kind", 40),
          int("deployment_id", true),
          str("flow_name", 200, true),
          str("deployment_name", 200, true),
          int("version_id", true),
          str("actor", 200),
          { name: "at", type: "bigint" },
          { name: "details", type: "json", isNullable: true },
        ],
        indices: [
          new TableIndex({ name: "ix_audit_time", columnNames: ["workspace_id", "at", "id"] }),
          new TableIndex({ name: "ix_audit_deployment", columnNames: ["workspace_id", "deployment_id", "at", "id"] }),
          new TableIndex({ name: "ix_audit_flow", columnNames: ["workspace_id", "flow_name", "at", "id"] }),
          new TableIndex({ name: "ix_audit_actor", columnNames: ["workspace_id", "actor", "at", "id"] }),
        ],
      }),
    );
    await runner.addColumn("live_version_change", new TableColumn({ name: "details", type: "json", isNullable: true }));
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropColumn("live_version_change", "details");
    await runner.dropTable("audit_entry");
  }
}
