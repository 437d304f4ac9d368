import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from "typeorm";

/**
 * The initial schema, written once for both stores with the Table API. Column definitions
 * must equal the entities: a test checks that TypeORM's schema builder finds nothing to change.
 */
export class Initial1764144000000 implements MigrationInterface {
  name = "Initial1764144000000";

  async up(runner: QueryRunner): Promise<void> {
    const type = runner.connection.driver.options.type;
    // On MySQL every text column is utf8mb4 whatever the server default, and compares byte for
    // byte with no trailing-space padding (docs/design.md, "Deployments": "Etl" ≠ "etl", "a " ≠ "a"), exactly as
    // SQLite's BINARY collation does. The NO PAD binary collation has a different name on each.
    const collation = type === "mariadb" ? "utf8mb4_nopad_bin" : "utf8mb4_0900_bin";
    const text = (c: TableColumnOptions): TableColumnOptions => (type === "better-sqlite3" ? c : { ...c, charset: "utf8mb4", collation });
    const id: TableColumnOptions = { name: "id", type: "integer", isPrimary: true, isGenerated: true, generationStrategy: "increment" };
    const int = (name: string, nullable = false): TableColumnOptions => ({ name, type: "integer", isNullable: nullable });
    const str = (name: string, length: number, nullable = false) => text({ name, type: "varchar", length: String(length), isNullable: nullable });
    const json = (name: string, nullable = false): TableColumnOptions => ({ name, type: "json", isNullable: nullable });
    const millis = (name: string): TableColumnOptions => ({ name, type: "bigint" });

    await runner.createTable(
      new Table({
        name: "workspace",
        columns: [id, str("name", 100), { ...int("last_sequence"), default: 0 }, millis("created_at")],
        indices: [new TableIndex({ name: "uq_workspace_name", columnNames: ["name"], isUnique: true })],
      }),
    );
    await runner.createTable(
      new Table({
        name: "deployment",
        columns: [
          id,
          int("workspace_id"),
          str("flow_name", 200),
          str("name", 200),
          { name: "paused", type: "boolean", default: 0 },
          json("schedules"),
          int("concurrency_limit", true),
          json("concurrency_options", true),
          int("live_version_id", true),
          { ...int("last_number"), default: 0 },
          millis("created_at"),
          millis("updated_at"),
        ],
        indices: [new TableIndex({ name: "uq_deployment_name", columnNames: ["workspace_id", "flow_name", "name"], isUnique: true })],
        foreignKeys: [fk("fk_deployment_workspace", "workspace_id", "workspace")],
      }),
    );
    await runner.createTable(
      new Table({
        name: "deployment_version",
        columns: [
          id,
          int("deployment_id"),
          int("number"),
          str("version", 200),
          str("entrypoint", 1000),
          text({ name: "description", type: "text", isNullable: true }),
          json("tags"),
          json("labels"),
          json("parameters"),
          json("parameter_openapi_schema", true),
          { name: "enforce_parameter_schema", type: "boolean" },
          str("work_pool_name", 200, true),
          str("work_queue_name", 200, true),
          json("job_variables"),
          json("pull_steps"),
          str("content_hash", 64),
          str("source_type", 20, true),
          str("source_version", 200, true),
          str("source_commit_sha", 64, true),
          str("source_branch", 255, true),
          str("source_repository", 500, true),
          str("source_url", 2000, true),
          str("source_message", 1000, true),
          millis("created_at"),
          str("created_by", 200),
        ],
        indices: [
          new TableIndex({ name: "uq_version_number", columnNames: ["deployment_id", "number"], isUnique: true }),
          new TableIndex({ name: "ix_version_commit", columnNames: ["deployment_id", "source_commit_sha"] }),
          new TableIndex({ name: "ix_version_branch", columnNames: ["deployment_id", "source_branch", "number"] }),
          new TableIndex({ name: "ix_version_name", columnNames: ["deployment_id", "version", "number"] }),
        ],
        foreignKeys: [fk("fk_version_deployment", "deployment_id", "deployment")],
      }),
    );
    // The deployment → live version reference closes a cycle, so it is added once both exist.
    await runner.createForeignKey("deployment", fk("fk_deployment_live_version", "live_version_id", "deployment_version"));
    await runner.createTable(
      new Table({
        name: "live_version_change",
        columns: [
          id,
          int("workspace_id"),
          int("sequence"),
          str("kind", 10),
          int("deployment_id"),
          int("previous_version_id", true),
          int("live_version_id"),
          str("actor", 200),
          str("reason", 1000, true),
          millis("at"),
        ],
        indices: [
          new TableIndex({ name: "uq_change_sequence", columnNames: ["workspace_id", "sequence"], isUnique: true }),
          new TableIndex({ name: "ix_change_deployment", columnNames: ["deployment_id", "sequence"] }),
        ],
        foreignKeys: [
          fk("fk_change_workspace", "workspace_id", "workspace"),
          fk("fk_change_deployment", "deployment_id", "deployment"),
          fk("fk_change_previous_version", "previous_version_id", "deployment_version"),
          fk("fk_change_live_version", "live_version_id", "deployment_version"),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: "idempotency_key",
        columns: [id, int("workspace_id"), str("key", 255), str("request_hash", 64), int("version_id"), int("change_id"), millis("created_at")],
        indices: [new TableIndex({ name: "uq_idempotency_key", columnNames: ["workspace_id", "key"], isUnique: true })],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable("idempotency_key");
    await runner.dropTable("live_version_change");
    await runner.dropForeignKey("deployment", "fk_deployment_live_version");
    await runner.dropTable("deployment_version");
    await runner.dropTable("deployment");
    await runner.dropTable("workspace");
  }
}

function fk(name: string, column: string, table: string): TableForeignKey {
  return new TableForeignKey({
    name,
    columnNames: [column],
    referencedTableName: table,
    referencedColumnNames: ["id"],
    onDelete: "RESTRICT",
    onUpdate: "NO ACTION",
  });
}
