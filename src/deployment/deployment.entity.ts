import { Entity, PrimaryGeneratedColumn, Column, Index, ManyToOne, JoinColumn } from "typeorm";
import { EpochMillis, JsonColumn } from "../db/columns";
import type { JsonObject, JsonValue } from "../json-limits";
import { WorkspaceEntity } from "../workspace/workspace.entity";
import { VersionEntity } from "../version/version.entity";

/**
 * A deployment and its non-versioned settings. Its row is the lock every version creation and
 * pointer move takes (SELECT … FOR UPDATE), which is what keeps numbers gapless and exactly one
 * version live.
 */
@Entity("deployment")
@Index("uq_deployment_name", ["workspaceId", "flowName", "name"], { unique: true })
export class DeploymentEntity {
  @PrimaryGeneratedColumn({ type: "integer" })
  id!: number;

  @Column({ type: "integer" })
  workspaceId!: number;

  @ManyToOne(() => WorkspaceEntity, { onDelete: "RESTRICT", createForeignKeyConstraints: true })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "fk_deployment_workspace" })
  workspace?: WorkspaceEntity;

  // Compared byte for byte: the MySQL migration gives every text column a NO PAD binary
  // collation; SQLite's BINARY collation already is one. (TypeORM's schema diff ignores
  // collation, so it is declared in the migration only.)
  @Column({ type: "varchar", length: 200 })
  flowName!: string;

  @Column({ type: "varchar", length: 200 })
  name!: string;

  @Column({ type: "boolean", default: false })
  paused!: boolean;

  @JsonColumn()
  schedules!: JsonValue[];

  @Column({ type: "integer", nullable: true })
  concurrencyLimit!: number | null;

  @JsonColumn({ nullable: true })
  concurrencyOptions!: JsonObject | null;

  @Column({ type: "integer", nullable: true })
  liveVersionId!: number | null;

  @ManyToOne(() => VersionEntity, { onDelete: "RESTRICT" })
  @JoinColumn({ name: "live_version_id", foreignKeyConstraintName: "fk_deployment_live_version" })
  liveVersion?: VersionEntity;

  /** Number of the newest version; the next one gets lastNumber + 1. */
  @Column({ type: "integer", default: 0 })
  lastNumber!: number;

  /**
   * Incremented by every write to this row, in the same transaction (the write store adds it to
   * each UPDATE). Answers computed from the deployment are cached under (id, revision), which,
   * unlike the row's contents, never repeats (docs/design.md, "The history cache").
   */
  @Column({ type: "integer", default: 0 })
  revision!: number;

  /** Set while the live version is pinned (pinLive, or rollback with pin: true): creates then only record versions. */
  @EpochMillis({ nullable: true })
  pinnedAt!: Date | null;

  @Column({ type: "varchar", length: 200, nullable: true })
  pinnedBy!: string | null;

  @Column({ type: "varchar", length: 1000, nullable: true })
  pinReason!: string | null;

  @EpochMillis()
  createdAt!: Date;

  @EpochMillis()
  updatedAt!: Date;
}
