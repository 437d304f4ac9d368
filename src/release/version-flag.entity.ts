import { Entity, PrimaryGeneratedColumn, Column, Index } from "typeorm";
import { EpochMillis } from "../db/columns";

/**
 * Append-only record of a version's flags: BAD ("never this one again") and OK (the flag
 * lifted). A version's status is its newest row's; no row means OK. Versions themselves stay
 * immutable.
 */
@Entity("version_flag")
@Index("ix_flag_version", ["versionId", "id"])
@Index("ix_flag_deployment", ["deploymentId", "status"])
export class VersionFlagEntity {
  @PrimaryGeneratedColumn({ type: "integer" })
  id!: number;

  @Column({ type: "integer" })
  deploymentId!: number;

  @Column({ type: "integer" })
  versionId!: number;

  @Column({ type: "varchar", length: 3 })
  status!: "BAD" | "OK";

  @Column({ type: "varchar", length: 200 })
  actor!: string;

  @Column({ type: "varchar", length: 1000, nullable: true })
  reason!: string | null;

  @EpochMillis()
  at!: Date;
}

/** SQL: the ids of a deployment's versions whose newest flag is BAD; binds the deployment id once. */
export const BAD_VERSION_IDS =
  "SELECT f.version_id FROM version_flag f WHERE f.deployment_id = ? AND f.status = 'BAD' AND f.id = (SELECT MAX(g.id) FROM version_flag g WHERE g.version_id = f.version_id)";
