import { Column, Entity, PrimaryColumn } from "typeorm";

/** A named lease one instance holds at a time (the pruning pass): a row taken by a conditional UPDATE. */
@Entity("maintenance_lease")
export class MaintenanceLeaseEntity {
  @PrimaryColumn({ type: "varchar", length: 50 })
  name!: string;

  @Column({ type: "varchar", length: 100, nullable: true })
  holder!: string | null;

  /** Epoch ms; the lease is free once this has passed. */
  @Column({ type: "bigint", default: 0 })
  expiresAt!: number;
}
