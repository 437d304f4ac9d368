import { TableIndex, type MigrationInterface, type QueryRunner } from "typeorm";

/** Finds the live-log entry in force at an instant with one index lookup (Deployment.liveAt). */
export class LiveAtIndex1764410000000 implements MigrationInterface {
  name = "LiveAtIndex1764410000000";

  async up(runner: QueryRunner): Promise<void> {
    await runner.createIndex("live_version_change", new TableIndex({ name: "ix_change_deployment_at", columnNames: ["deployment_id", "at", "sequence"] }));
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropIndex("live_version_change", "ix_change_deployment_at");
  }
}
