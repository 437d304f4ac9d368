import { Entity, PrimaryGeneratedColumn, Column, Index, ManyToOne, JoinColumn, type Relation } from "typeorm";
import { EpochMillis, JsonColumn } from "../db/columns";
import type { JsonObject } from "../json-limits";
import type { DeploymentEntity } from "../deployment/deployment.entity";

/** An immutable snapshot of a deployment's versioned properties; rows are never updated. */
@Entity("deployment_version")
@Index("uq_version_number", ["deploymentId", "number"], { unique: true })
@Index("ix_version_commit", ["deploymentId", "sourceCommitSha"])
@Index("ix_version_branch", ["deploymentId", "sourceBranch", "number"])
@Index("ix_version_name", ["deploymentId", "version", "number"])
export class VersionEntity {
  @PrimaryGeneratedColumn({ type: "integer" })
  id!: number;

  @Column({ type: "integer" })
  deploymentId!: number;

  // Named, not imported: the two entities refer to each other, and only types may cross that way.
  @ManyToOne("DeploymentEntity", { onDelete: "RESTRICT" })
  @JoinColumn({ name: "deployment_id", foreignKeyConstraintName: "fk_version_deployment" })
  deployment?: Relation<DeploymentEntity>;

  @Column({ type: "integer" })
  number!: number;

  @Column({ type: "varchar", length: 200 })
  version!: string;

  @Column({ type: "varchar", length: 1000 })
  entrypoint!: string;

  @Column({ type: "text", nullable: true })
  description!: string | null;

  @JsonColumn()
  tags!: string[];

  @JsonColumn()
  labels!: JsonObject;

  @JsonColumn()
  parameters!: JsonObject;

  @JsonColumn({ nullable: true })
  parameterOpenapiSchema!: JsonObject | null;

  @Column({ type: "boolean" })
  enforceParameterSchema!: boolean;

  @Column({ type: "varchar", length: 200, nullable: true })
  workPoolName!: string | null;

  @Column({ type: "varchar", length: 200, nullable: true })
  workQueueName!: string | null;

  @JsonColumn()
  jobVariables!: JsonObject;

  @JsonColumn()
  pullSteps!: JsonObject[];

  /** sha256 hex of the canonical JSON of the versioned properties (content-hash.ts). */
  @Column({ type: "varchar", length: 64 })
  contentHash!: string;

  @Column({ type: "varchar", length: 20, nullable: true })
  sourceType!: string | null;

  @Column({ type: "varchar", length: 200, nullable: true })
  sourceVersion!: string | null;

  @Column({ type: "varchar", length: 64, nullable: true })
  sourceCommitSha!: string | null;

  @Column({ type: "varchar", length: 255, nullable: true })
  sourceBranch!: string | null;

  @Column({ type: "varchar", length: 500, nullable: true })
  sourceRepository!: string | null;

  @Column({ type: "varchar", length: 2000, nullable: true })
  sourceUrl!: string | null;

  @Column({ type: "varchar", length: 1000, nullable: true })
  sourceMessage!: string | null;

  @EpochMillis()
  createdAt!: Date;

  @Column({ type: "varchar", length: 200 })
  createdBy!: string;

  /**
   * Set when the retention pass removed the body (entrypoint, parameters, job variables, pull
   * steps, …): the row stays as a tombstone keeping its id, number, name, contentHash, source info
   * and creation, so history and the live log still resolve it. Never set on other columns' change.
   */
  @EpochMillis({ nullable: true })
  prunedAt!: Date | null;
}
