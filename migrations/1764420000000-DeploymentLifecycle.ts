import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from "typeorm";

/** When a deployment was archived (hidden, frozen) or deleted (gone; its name free again). */
export class DeploymentLifecycle1764420000000 implements MigrationInterface {
  name = "DeploymentLifecycle1764420000000";

  async up(runner: QueryRunner): Promise<void> {
    await runner.addColumns("deployment", [
      new TableColumn({ name: "archived_at", type: "bigint", isNullable: true }),
      new TableColumn({ name: "deleted_at", type: "bigint", isNullable: true }),
      new TableColumn({ name: "deleted_key", type: "integer", default: 0 }),
    ]);
    // A name is unique among the deployments that exist: a deleted one's deleted_key is its id.
    // Created before the old one is dropped: on MySQL the workspace foreign key needs an index on workspace_id meanwhile.
    await runner.createIndex(
      "deployment",
      new TableIndex({ name: "uq_deployment_existing_name", columnNames: ["workspace_id", "flow_name", "name", "deleted_key"], isUnique: true }),
    );
    await runner.dropIndex("deployment", "uq_deployment_name");
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query("DELETE FROM deployment WHERE deleted_key <> 0");
    await runner.createIndex("deployment", new TableIndex({ name: "uq_deployment_name", columnNames: ["workspace_id", "flow_name", "name"], isUnique: true }));
    await runner.dropIndex("deployment", "uq_deployment_existing_name");
    await runner.dropColumn("deployment", "deleted_key");
    await runner.dropColumn("deployment", "deleted_at");
    await runner.dropColumn("deployment", "archived_at");
  }
}
