import { Entity, PrimaryGeneratedColumn, Column, Index } from "typeorm";
import { EpochMillis } from "../db/columns";

/**
 * What a createVersion with an idempotency key produced, so a retry gets the same answer.
 * Rows are kept indefinitely (docs/design.md, "Idempotency", asks for at least 30 days); `createdAt` allows pruning.
 */
@Entity("idempotency_key")
@Index("uq_idempotency_key", ["workspaceId", "key"], { unique: true })
export class IdempotencyKeyEntity {
  @PrimaryGeneratedColumn({ type: "integer" })
  id!: number;

  @Column({ type: "integer" })
  workspaceId!: number;

  @Column({ type: "varchar", length: 255 })
  key!: string;

  /** sha256 of the canonical request, without expectedLiveVersionId. */
  @Column({ type: "varchar", length: 64 })
  requestHash!: string;

  @Column({ type: "integer" })
  versionId!: number;

  @Column({ type: "integer" })
  changeId!: number;

  @EpochMillis()
  createdAt!: Date;
}
