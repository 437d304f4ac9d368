import type { DataSource } from "typeorm";

/**
 * What the store needs to know of the MySQL server it talks to when that server is one node of a
 * Galera cluster (MariaDB Galera Cluster, Percona XtraDB Cluster). Galera replicates synchronously
 * but applies asynchronously: a change acknowledged through node A may not yet be visible to a read
 * on node B. `wsrep_sync_wait` makes a read first wait until its node has applied everything the
 * cluster committed before the read started; it costs a cluster round trip, so only the reads a
 * guarantee depends on ask for it, and only on Galera.
 */
export interface ClusterNode {
  /** True when the server is a Galera node with replication on (detected once, when the store opens). */
  readonly galera: boolean;
  /**
   * A prefix for a statement that must see every change committed anywhere in the cluster before it
   * started: `SET STATEMENT wsrep_sync_wait = 15 FOR ` on Galera, empty elsewhere.
   */
  readonly causal: string;
  /**
   * Resolves once this node has applied every change the cluster committed before the call; any read
   * on this node started afterwards (on any connection) sees them, since a node commits the
   * replicated changes in their global order. Immediate off Galera.
   */
  caughtUp(): Promise<void>;
  /** Why this node must not take traffic (it left the cluster, or is not synced yet); null when it may. */
  problem(): Promise<string | null>;
}

export const NO_CLUSTER: ClusterNode = { galera: false, causal: "", caughtUp: async () => undefined, problem: async () => null };

// Bits 1 (SELECT, SHOW, BEGIN), 2 (UPDATE, DELETE), 4 (INSERT, REPLACE) and 8 (SHOW STATUS), so the
// prefix works whatever the statement. Galera skips the wait inside an open transaction: a write
// sends its wait as a statement of its own, before its transaction begins.
const CAUSAL = "SET STATEMENT wsrep_sync_wait = 15 FOR ";

type Query = (sql: string) => Promise<unknown>;

const valuesOf = (rows: unknown) => Object.fromEntries((rows as Array<{ Variable_name: string; Value: string }>).map((r) => [r.Variable_name, r.Value]));

/** Detects Galera with `SHOW VARIABLES LIKE 'wsrep_on'` (absent on plain MySQL and MariaDB, OFF when not clustered). */
export async function clusterNodeOf(dataSource: DataSource): Promise<ClusterNode> {
  const query: Query = (sql) => dataSource.query(sql);
  const variables = valuesOf(await query("SHOW VARIABLES LIKE 'wsrep_on'"));
  if (variables.wsrep_on !== "ON") return NO_CLUSTER;
  return {
    galera: true,
    causal: CAUSAL,
    caughtUp: async () => void (await query(`${CAUSAL}SELECT 1`)),
    problem: () => galeraProblem(query),
  };
}

/**
 * A node may take traffic when it is part of the primary component (`wsrep_ready` ON) and synced
 * with it (`wsrep_local_state` 4). A donor or joiner (state 1–3) or a node cut off from the rest
 * (`wsrep_ready` OFF) would answer stale or not at all.
 */
export async function galeraProblem(query: Query): Promise<string | null> {
  const status = valuesOf(
    await query("SHOW STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_local_state', 'wsrep_local_state_comment', 'wsrep_cluster_status')"),
  );
  if (status.wsrep_ready !== "ON" || status.wsrep_cluster_status !== "Primary")
    return `the Galera node is not part of the primary component (${status.wsrep_cluster_status ?? "unknown"})`;
  if (status.wsrep_local_state !== "4") return `the Galera node is not synced (${status.wsrep_local_state_comment ?? status.wsrep_local_state ?? "unknown"})`;
  return null;
}
