import type { ChangeFields, Statement } from "../db/write-store";

/**
 * The outbox rows of a live change: one pending delivery per webhook of the workspace whose
 * filter matches and that is not disabled (a FAILING webhook's are held until it is re-enabled), inserted by the write store as the last statement of the change's own
 * transaction, so a change is never committed without its deliveries (nor the reverse).
 *
 * It reads the change back by the workspace's counter, which the same transaction has just
 * advanced, so it needs no answer from an earlier statement (the MySQL store sends the whole tail
 * in one burst), and it leaves LAST_INSERT_ID() alone for the statements before it.
 */
export function outboxStatement(change: ChangeFields, flowName: string): Statement {
  const at = change.at.getTime();
  return [
    `INSERT INTO webhook_delivery (workspace_id, webhook_id, change_id, deployment_id, sequence, kind, status, attempts, window_start, next_attempt_at, created_at)
     SELECT w.workspace_id, w.id, c.id, c.deployment_id, c.sequence, c.kind, 'PENDING', 0, ?, ?, ?
     FROM webhook w JOIN live_version_change c ON c.workspace_id = w.workspace_id AND c.sequence = (SELECT last_sequence FROM workspace WHERE id = ?)
     WHERE w.workspace_id = ? AND w.status IN ('ACTIVE', 'FAILING')
       AND (w.deployment_id IS NULL OR w.deployment_id = ?) AND (w.flow_name IS NULL OR w.flow_name = ?) AND (w.events = '*' OR INSTR(w.events, ?) > 0)`,
    [at, at, at, change.workspaceId, change.workspaceId, change.deploymentId, flowName, `,${change.kind},`],
  ];
}
