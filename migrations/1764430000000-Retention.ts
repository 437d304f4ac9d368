import { Table, TableColumn, type MigrationInterface, type QueryRunner } from "typeorm";

/**
 * Retention: a deployment's keepLast/keepDays, a version's pruned_at (its body is gone, its
 * tombstone stays), and the lease that lets one instance at a time run the pruning pass.
 */
export class Retention1764430000000 implements MigrationInterface {
  name = "Retention1764430000000";

  async up(runner: QueryRunner): Promise<void> {
    await runner.addColumns("deployment", [
      new TableColumn({ name: "retention_keep_last", type: "integer", isNullable: true }),
      new TableColumn({ name: "retention_keep_days", type: "integer", isNullable: true }),
    ]);
    await runner.addColumn("deployment_version", new TableColumn({ name: "pruned_at", type: "bigint", isNullable: true }));
    const type = runner.connection.driver.options.type;
    const name: { name: string; type: string; length: string; isPrimary: true; charset?: string; collation?: string } = {
      name: "name",
      type: "varchar",
      length: "50",
      isPrimary: true,
    };
    if (type !== "better-sqlite3") Object.assign(name, { charset: "utf8mb4", collation: type === "mariadb" ? "utf8mb4_nopad_bin" : "utf8mb4_0900_bin" });
    await runner.createTable(
      new Table({
        name: "maintenance_lease",
        columns: [name, { name: "holder", type: "varchar", length: "100", isNullable: true }, { name: "expires_at", type: "bigint", default: 0 }],
      }),
    );
    await runner.query("INSERT INTO maintenance_lease (name, holder, expires_at) VALUES ('retention', NULL, 0)");
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable("maintenance_lease");
    await runner.dropColumn("deployment_version", "pruned_at");
    await runner.dropColumn("deployment", "retention_keep_days");
    await runner.dropColumn("deployment", "retention_keep_last");
  }
}
