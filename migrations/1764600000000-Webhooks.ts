import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from "typeorm";

/**
 * Outbound webhooks: the endpoints (`webhook`, secret encrypted at rest), the outbox of deliveries
 * written in the same transaction as each live change (`webhook_delivery`), and each attempt's
 * outcome (`webhook_attempt`). Times are epoch milliseconds.
 */
export class Webhooks1764600000000 implements MigrationInterface {
  name = "Webhooks1764600000000";

  async up(runner: QueryRunner): Promise<void> {
    const type = runner.connection.driver.options.type;
    const collation = type === "mariadb" ? "utf8mb4_nopad_bin" : "utf8mb4_0900_bin";
    const str = (name: string, length: number, isNullable = false): TableColumnOptions =>
      type === "better-sqlite3"
        ? { name, type: "varchar", length: String(length), isNullable }
        : { name, type: "varchar", length: String(length), charset: "utf8mb4", collation, isNullable };
    const id: TableColumnOptions = { name: "id", type: "integer", isPrimary: true, isGenerated: true, generationStrategy: "increment" };
    const int = (name: string, isNullable = false): TableColumnOptions => ({ name, type: "integer", isNullable });
    const millis = (name: string, isNullable = false): TableColumnOptions => ({ name, type: "bigint", isNullable });
    const fk = (name: string, column: string, table: string, onDelete: string) =>
      new TableForeignKey({ name, columnNames: [column], referencedTableName: table, referencedColumnNames: ["id"], onDelete, onUpdate: "NO ACTION" });
    await runner.createTable(
      new Table({
        name: "webhook",
        columns: [
          id,
          int("workspace_id"),
          str("url", 2000),
          str("events", 500),
          int("deployment_id", true),
          str("flow_name", 200, true),
          str("format", 10),
          str("description", 500),
          str("secret", 300),
          str("previous_secret", 300, true),
          millis("previous_secret_until", true),
          str("status", 10),
          millis("failing_since", true),
          millis("created_at"),
          str("created_by", 200),
        ],
        indices: [new TableIndex({ name: "ix_webhook_workspace", columnNames: ["workspace_id", "status"] })],
        foreignKeys: [fk("fk_webhook_workspace", "workspace_id", "workspace", "RESTRICT")],
      }),
    );
    await runner.createTable(
      new Table({
        name: "webhook_delivery",
        columns: [
          id,
          int("workspace_id"),
          int("webhook_id"),
          int("change_id"),
          int("deployment_id"),
          int("sequence"),
          str("kind", 20),
          str("status", 10),
          int("attempts"),
          millis("window_start"),
          millis("next_attempt_at"),
          str("claimed_by", 64, true),
          millis("lease_until", true),
          millis("created_at"),
          millis("finished_at", true),
          int("last_status_code", true),
          str("last_error", 500, true),
        ],
        indices: [
          new TableIndex({ name: "ix_delivery_due", columnNames: ["status", "next_attempt_at"] }),
          new TableIndex({ name: "ix_delivery_order", columnNames: ["webhook_id", "deployment_id", "status", "sequence"] }),
          new TableIndex({ name: "ix_delivery_webhook", columnNames: ["webhook_id", "id"] }),
        ],
        foreignKeys: [fk("fk_delivery_webhook", "webhook_id", "webhook", "CASCADE"), fk("fk_delivery_change", "change_id", "live_version_change", "RESTRICT")],
      }),
    );
    await runner.createTable(
      new Table({
        name: "webhook_attempt",
        columns: [
          id,
          int("delivery_id"),
          millis("at"),
          int("status_code", true),
          int("duration_ms"),
          str("error", 500, true),
          str("response_excerpt", 300, true),
        ],
        indices: [new TableIndex({ name: "ix_attempt_delivery", columnNames: ["delivery_id", "id"] })],
        foreignKeys: [fk("fk_attempt_delivery", "delivery_id", "webhook_delivery", "CASCADE")],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable("webhook_attempt");
    await runner.dropTable("webhook_delivery");
    await runner.dropTable("webhook");
  }
}
