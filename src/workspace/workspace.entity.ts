import { Entity, PrimaryGeneratedColumn, Column, Index } from "typeorm";
import { EpochMillis } from "../db/columns";

/** A tenant. Its row doubles as the counter that numbers its live changes (docs/design.md, "Gapless live-change sequences"). */
@Entity("workspace")
@Index("uq_workspace_name", ["name"], { unique: true })
export class WorkspaceEntity {
  @PrimaryGeneratedColumn({ type: "integer" })
  id!: number;

  @Column({ type: "varchar", length: 100 })
  name!: string;

  /** Sequence of the newest LiveVersionChange; incremented under a row lock, so gapless. */
  @Column({ type: "integer", default: 0 })
  lastSequence!: number;

  /** The workspace created at first start: its admins may create other workspaces. */
  @Column({ type: "boolean", default: false })
  operator!: boolean;

  @EpochMillis()
  createdAt!: Date;
}
