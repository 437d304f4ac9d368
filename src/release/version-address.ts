import type { WriteTx } from "../db/write-store";

type Reads = Pick<WriteTx, "rows">;

/** The key of a deployment's version with this number, or null. */
export async function versionKeyByNumber(reads: Reads, deploymentKey: number, number: number): Promise<number | null> {
  const [row] = await reads.rows<{ id: number }>("SELECT id FROM deployment_version WHERE deployment_id = ? AND number = ?", [deploymentKey, number]);
  return row ? Number(row.id) : null;
}
