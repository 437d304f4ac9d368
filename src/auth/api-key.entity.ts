import { Entity, PrimaryGeneratedColumn, Column, Index, ManyToOne, JoinColumn } from "typeorm";
import { EpochMillis } from "../db/columns";
import { WorkspaceEntity } from "../workspace/workspace.entity";

/**
 * An API key of one workspace. Only its sha256 is stored: keys are long and random, so a slow
 * hash would buy nothing and would turn failed-login floods into a CPU attack (docs/design.md, "Workspaces and API keys").
 */
@Entity("api_key")
@Index("uq_api_key_hash", ["hash"], { unique: true })
@Index("ix_api_key_workspace", ["workspaceId", "id"])
export class ApiKeyEntity {
  @PrimaryGeneratedColumn({ type: "integer" })
  id!: number;

  @Column({ type: "integer" })
  workspaceId!: number;

  @ManyToOne(() => WorkspaceEntity, { onDelete: "RESTRICT" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "fk_api_key_workspace" })
  workspace?: WorkspaceEntity;

  /** Who acts with this key: recorded as createdBy / actor. */
  @Column({ type: "varchar", length: 100 })
  name!: string;

  /** The first characters of the key, so people can tell keys apart without the secret. */
  @Column({ type: "varchar", length: 20 })
  prefix!: string;

  @Column({ type: "varchar", length: 64 })
  hash!: string;

  /** Comma-separated: read, deploy, release, admin. */
  @Column({ type: "varchar", length: 100 })
  scopes!: string;

  @EpochMillis()
  createdAt!: Date;

  @Column({ type: "varchar", length: 100 })
  createdBy!: string;

  @EpochMillis({ nullable: true })
  revokedAt!: Date | null;
}
