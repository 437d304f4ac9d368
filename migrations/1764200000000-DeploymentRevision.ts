import { TableColumn, type MigrationInterface, type QueryRunner } from "typeorm";

/** A counter every write to a deployment increments, so cached answers can be keyed on it. */
export class DeploymentRevision1764200000000 implements MigrationInterface {
  name = "DeploymentRevision1764200000000";

  async up(runner: QueryRunner): Promise<void> {
    await runner.addColumn("deployment", new TableColumn({ name: "revision", type: "integer", default: 0 }));
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropColumn("deployment", "revision");
  }
}
