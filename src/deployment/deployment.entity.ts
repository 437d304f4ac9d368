import { Entity, PrimaryGeneratedColumn, Column, Index, ManyToOne, JoinColumn, type Relation } from "typeorm";
import { EpochMillis, JsonColumn } from "../db/columns";
import type { JsonObject, JsonValue } from "../json-limits";
import { WorkspaceEntity } from "../workspace/workspace.entity";
import type { VersionEntity } from "../version/version.entity";

/**
 * A deployment and its non-versioned settings. Its row is the lock every version creation and
 * pointer move takes (SELECT … FOR UPDATE), which is what keeps numbers gapless and exactly one
 * version live.
 */
@Entity("deployment")
@Index("uq_deployment_existing_name", ["workspaceId", "flowName", "name", "deletedKey"], { unique: true })
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

  // Named, not imported: the two entities refer to each other, and only types may cross that way.
  @ManyToOne("VersionEntity", { onDelete: "RESTRICT" })
  @JoinColumn({ name: "live_version_id", foreignKeyConstraintName: "fk_deployment_live_version" })
  liveVersion?: Relation<VersionEntity>;

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

  /** Set while archived: hidden from lists, refusing new versions and moves, still readable. */
  @EpochMillis({ nullable: true })
  archivedAt!: Date | null;

  /** Set once deleted. The row stays (the live log points at it) but nothing finds it any more. */
  @EpochMillis({ nullable: true })
  deletedAt!: Date | null;

  /** Retention: keep at least this many newest versions' bodies (null: no count limit). */
  @Column({ type: "integer", nullable: true })
  retentionKeepLast!: number | null;

  /** Retention: keep the bodies of versions younger than this many days (null: no age limit). */
  @Column({ type: "integer", nullable: true })
  retentionKeepDays!: number | null;

  /** 0 while it exists, its id once deleted: the name is unique among existing deployments only. */
  @Column({ type: "integer", default: 0 })
  deletedKey!: number;
}
