import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { EpochMillis, JsonColumn } from "../db/columns";
import type { JsonValue } from "../json-limits";

/**
 * One audited change in a workspace, written in the same transaction as the change. Entries
 * outlive what they describe (a deleted deployment, a revoked key), so they hold the names
 * themselves and reference nothing by foreign key. Read newest first by keyset on (at, id);
 * each filter has an index that starts with the workspace and ends with (at, id).
 */
@Entity("audit_entry")
@Index("ix_audit_time", ["workspaceId", "at", "id"])
@Index("ix_audit_deployment", ["workspaceId", "deploymentId", "at", "id"])
@Index("ix_audit_flow", ["workspaceId", "flowName", "at", "id"])
@Index("ix_audit_actor", ["workspaceId", "actor", "at", "id"])
export class AuditEntryEntity {
  @PrimaryGeneratedColumn({ type: "integer" })
  id!: number;

  @Column({ type: "integer" })
  workspaceId!: number;

  /** An AuditKind; a plain string so that adding kinds needs no migration. */
  @Column({ type: "varchar", length: 40 })
  kind!: string;

  @Column({ type: "integer", nullable: true })
  deploymentId!: number | null;

  @Column({ type: "varchar", length: 200, nullable: true })
  flowName!: string | null;

  @Column({ type: "varchar", length: 200, nullable: true })
  deploymentName!: string | null;

  @Column({ type: "integer", nullable: true })
  versionId!: number | null;

  @Column({ type: "varchar", length: 200 })
  actor!: string;

  @EpochMillis()
  at!: Date;

  /** What changed, by kind: e.g. the settings' before and after, the versions pruned. */
  @JsonColumn({ nullable: true })
  details!: { [key: string]: JsonValue } | null;
}
