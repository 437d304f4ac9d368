import { TableColumn, type MigrationInterface, type QueryRunner, type TableColumnOptions } from "typeorm";

/** Who pinned a deployment's live version, when and why; all null while it is not pinned. */
export class DeploymentPin1764500000000 implements MigrationInterface {
  name = "DeploymentPin1764500000000";

  async up(runner: QueryRunner): Promise<void> {
    const type = runner.connection.driver.options.type;
    const collation = type === "mariadb" ? "utf8mb4_nopad_bin" : "utf8mb4_0900_bin";
    const text = (c: TableColumnOptions): TableColumnOptions => (type === "better-sqlite3" ? c : { ...c, charset: "utf8mb4", collation });
    await runner.addColumns("deployment", [
      new TableColumn({ name: "pinned_at", type: "bigint", isNullable: true }),
      new TableColumn(text({ name: "pinned_by", type: "varchar", length: "200", isNullable: true })),
      new TableColumn(text({ name: "pin_reason", type: "varchar", length: "1000", isNullable: true })),
    ]);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const column of ["pin_reason", "pinned_by", "pinned_at"]) await runner.dropColumn("deployment", column);
  }
}
