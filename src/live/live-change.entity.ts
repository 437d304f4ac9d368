import { Entity, PrimaryGeneratedColumn, Column, Index, ManyToOne, JoinColumn } from "typeorm";
import { EpochMillis, JsonColumn } from "../db/columns";
import type { JsonValue } from "../json-limits";
import { DeploymentEntity } from "../deployment/deployment.entity";
import { VersionEntity } from "../version/version.entity";
import { WorkspaceEntity } from "../workspace/workspace.entity";

/**
 * Moves of the pointer (CREATE, ROLLBACK, PROMOTE), pins (PIN, UNPIN), and the other changes of a deployment its
 * subscribers are told of in the same ordered stream (its settings and its lifecycle).
 */
export const LIVE_CHANGE_KINDS = ["CREATE", "ROLLBACK", "PROMOTE", "PIN", "UNPIN", "SETTINGS", "ARCHIVED", "RESTORED", "DELETED"] as const;
export type LiveChangeKind = (typeof LIVE_CHANGE_KINDS)[number];
/** The kinds that move the live pointer (live periods read only these). */
export const POINTER_MOVES: readonly LiveChangeKind[] = ["CREATE", "ROLLBACK", "PROMOTE"];
/** The kinds a deployment's `liveHistory` lists: its moves, and the pins that decide whether creates may move it. */
export const LIVE_HISTORY_KINDS: readonly LiveChangeKind[] = [...POINTER_MOVES, "PIN", "UNPIN"];

/** One changed setting: its name and its value before and after. */
export interface SettingChange {
  field: string;
  before: JsonValue;
  after: JsonValue;
}

/**
 * Append-only log of live-pointer moves, written in the same transaction as the move.
 * `sequence` is per workspace and gapless, so a subscriber resuming after N misses nothing.
 */
@Entity("live_version_change")
@Index("uq_change_sequence", ["workspaceId", "sequence"], { unique: true })
@Index("ix_change_deployment", ["deploymentId", "sequence"])
@Index("ix_change_deployment_at", ["deploymentId", "at", "sequence"])
export class LiveChangeEntity {
  @PrimaryGeneratedColumn({ type: "integer" })
  id!: number;

  @Column({ type: "integer" })
  workspaceId!: number;

  @ManyToOne(() => WorkspaceEntity, { onDelete: "RESTRICT" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "fk_change_workspace" })
  workspace?: WorkspaceEntity;

  @Column({ type: "integer" })
  sequence!: number;

  @Column({ type: "varchar", length: 10 })
  kind!: LiveChangeKind;

  @Column({ type: "integer" })
  deploymentId!: number;

  @ManyToOne(() => DeploymentEntity, { onDelete: "RESTRICT" })
  @JoinColumn({ name: "deployment_id", foreignKeyConstraintName: "fk_change_deployment" })
  deployment?: DeploymentEntity;

  @Column({ type: "integer", nullable: true })
  previousVersionId!: number | null;

  @ManyToOne(() => VersionEntity, { onDelete: "RESTRICT" })
  @JoinColumn({ name: "previous_version_id", foreignKeyConstraintName: "fk_change_previous_version" })
  previousVersion?: VersionEntity;

  @Column({ type: "integer" })
  liveVersionId!: number;

  @ManyToOne(() => VersionEntity, { onDelete: "RESTRICT" })
  @JoinColumn({ name: "live_version_id", foreignKeyConstraintName: "fk_change_live_version" })
  liveVersion?: VersionEntity;

  @Column({ type: "varchar", length: 200 })
  actor!: string;

  @Column({ type: "varchar", length: 1000, nullable: true })
  reason!: string | null;

  @EpochMillis()
  at!: Date;

  /** For SETTINGS: each changed field, before and after. */
  @JsonColumn({ nullable: true })
  details!: { settings?: SettingChange[] } | null;
}
