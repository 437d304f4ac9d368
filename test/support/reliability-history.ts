import { createConnection } from "mysql2/promise";
import { send, type SendOptions } from "./load";

export interface HistoryVersion {
  id: string;
  number: number;
  isLive: boolean;
}

export interface HistoryChange {
  id: string;
  sequence: number;
  kind: string;
  deployment: { id: string };
  previousVersion: { id: string } | null;
  liveVersion: { id: string; number: number };
}

export interface DeploymentHistory {
  id: string;
  liveVersionId: string;
  versionCount: number;
  /** Newest first, as the API pages them. */
  versions: HistoryVersion[];
  /** Newest first. */
  changes: HistoryChange[];
}

export const CHANGE_SELECTION = "id sequence kind deployment { id } previousVersion { id } liveVersion { id number }";

async function pages<T>(url: string, id: string, field: string, selection: string, options: SendOptions): Promise<T[]> {
  const nodes: T[] = [];
  let after: string | null = null;
  for (let page = 0; page < 1_000; page++) {
    const result = await send(
      url,
      `query($id: ID!, $after: String) { deployment(id: $id) { ${field}(first: 100, after: $after) { edges { node { ${selection} } } pageInfo { hasNextPage endCursor } } } }`,
      { id, after },
      options,
    );
    if (result.kind !== "ok") throw new Error(`reading ${field} of ${id}: ${result.kind} ${JSON.stringify(result.errors ?? result.failure)}`);
    const connection = result.data.deployment[field] as { edges: Array<{ node: T }>; pageInfo: { hasNextPage: boolean; endCursor: string } };
    nodes.push(...connection.edges.map((edge) => edge.node));
    if (!connection.pageInfo.hasNextPage) return nodes;
    after = connection.pageInfo.endCursor;
  }
  throw new Error("too many pages");
}

/** A deployment's whole history through the API of the server at `url`. */
export async function readHistory(url: string, id: string, options: SendOptions = {}): Promise<DeploymentHistory> {
  const current = await send(url, "query($id: ID!) { deployment(id: $id) { id versionCount liveVersion { id } } }", { id }, options);
  if (current.kind !== "ok" || !current.data.deployment) throw new Error(`reading deployment ${id}: ${JSON.stringify(current)}`);
  const versions = await pages<HistoryVersion>(url, id, "versions", "id number isLive", options);
  const changes = await pages<HistoryChange>(url, id, "liveHistory", CHANGE_SELECTION, options);
  return { id, liveVersionId: current.data.deployment.liveVersion.id, versionCount: current.data.deployment.versionCount, versions, changes };
}

const descending = (count: number) => Array.from({ length: count }, (_, i) => count - i);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The invariants of docs/design.md for one deployment, plus what a half-written version would break: numbers 1..N
 * gapless, exactly one live version (the deployment's), the newest entry names it, the log is an
 * unbroken chain, one CREATE per version and every entry's versions belong to the deployment.
 * Returns the violations, empty when all hold.
 */
export function violationsOf(history: DeploymentHistory): string[] {
  const problems: string[] = [];
  const { id, versions, changes } = history;
  const numbers = versions.map((v) => v.number);
  if (!same(numbers, descending(versions.length))) problems.push(`${id}: version numbers are not N..1: ${numbers.slice(0, 20).join(",")}…`);
  if (history.versionCount !== versions.length) problems.push(`${id}: versionCount ${history.versionCount} but ${versions.length} versions`);
  const live = versions.filter((v) => v.isLive).map((v) => v.id);
  if (!same(live, [history.liveVersionId])) problems.push(`${id}: live versions ${JSON.stringify(live)}, deployment says ${history.liveVersionId}`);
  if (changes[0]?.liveVersion.id !== history.liveVersionId)
    problems.push(`${id}: newest entry names ${changes[0]?.liveVersion.id}, live is ${history.liveVersionId}`);
  for (let i = 0; i < changes.length - 1; i++) {
    if (changes[i]!.previousVersion?.id !== changes[i + 1]!.liveVersion.id) {
      problems.push(
        `${id}: chain broken at sequence ${changes[i]!.sequence}: previous ${changes[i]!.previousVersion?.id}, before it ${changes[i + 1]!.liveVersion.id}`,
      );
    }
  }
  if (changes.at(-1)?.previousVersion !== null) problems.push(`${id}: the oldest entry has a previous version`);
  const ids = new Set(versions.map((v) => v.id));
  const creates = changes.filter((c) => c.kind === "CREATE").map((c) => c.liveVersion.id);
  if (creates.length !== versions.length || new Set(creates).size !== creates.length || !creates.every((v) => ids.has(v))) {
    problems.push(`${id}: ${versions.length} versions but ${creates.length} CREATE entries (${new Set(creates).size} distinct)`);
  }
  for (const change of changes) {
    if (change.deployment.id !== id) problems.push(`${id}: entry ${change.sequence} belongs to ${change.deployment.id}`);
    if (!ids.has(change.liveVersion.id) || (change.previousVersion && !ids.has(change.previousVersion.id))) {
      problems.push(`${id}: entry ${change.sequence} names a version that is not in the deployment`);
    }
  }
  return problems;
}

/** Workspace sequences gapless: every entry of every deployment, together, numbered 1..M. */
export function sequenceGaps(histories: DeploymentHistory[]): string[] {
  const sequences = histories.flatMap((h) => h.changes.map((c) => c.sequence)).sort((a, b) => a - b);
  const wrong = sequences.filter((s, i) => s !== i + 1);
  return wrong.length ? [`workspace sequences are not 1..${sequences.length}; first off: ${wrong.slice(0, 10).join(",")}`] : [];
}

const INTEGRITY_QUERIES: Record<string, string> = {
  "versions without exactly one CREATE entry": `SELECT v.id FROM deployment_version v
    LEFT JOIN live_version_change c ON c.live_version_id = v.id AND c.kind = 'CREATE' GROUP BY v.id HAVING COUNT(c.id) <> 1`,
  "entries naming a version of another deployment": `SELECT c.id FROM live_version_change c
    JOIN deployment_version v ON v.id = c.live_version_id LEFT JOIN deployment_version p ON p.id = c.previous_version_id
    WHERE v.deployment_id <> c.deployment_id OR (p.id IS NOT NULL AND p.deployment_id <> c.deployment_id)`,
  "deployments whose last_number is not their version count": `SELECT d.id FROM deployment d
    LEFT JOIN deployment_version v ON v.deployment_id = d.id GROUP BY d.id, d.last_number
    HAVING COUNT(v.id) <> d.last_number OR COALESCE(MAX(v.number), 0) <> d.last_number`,
  "deployments whose newest entry is not their live version": `SELECT d.id FROM deployment d
    JOIN live_version_change c ON c.deployment_id = d.id
    WHERE c.sequence = (SELECT MAX(c2.sequence) FROM live_version_change c2 WHERE c2.deployment_id = d.id)
      AND NOT (c.live_version_id <=> d.live_version_id)`,
  "workspaces whose counter is not their entry count": `SELECT w.id FROM workspace w
    LEFT JOIN live_version_change c ON c.workspace_id = w.id GROUP BY w.id, w.last_sequence
    HAVING COUNT(c.id) <> w.last_sequence OR COALESCE(MAX(c.sequence), 0) <> w.last_sequence`,
};

/** The same invariants read straight from the MySQL tables, so nothing the API hides escapes. */
export async function integrityViolations(databaseUrl: string): Promise<string[]> {
  const connection = await createConnection({ uri: databaseUrl });
  try {
    const problems: string[] = [];
    for (const [what, sql] of Object.entries(INTEGRITY_QUERIES)) {
      const [rows] = (await connection.query(sql)) as unknown as [Array<{ id: number }>];
      if (rows.length)
        problems.push(
          `${what}: ${rows
            .map((r) => r.id)
            .slice(0, 10)
            .join(",")}`,
        );
    }
    return problems;
  } finally {
    await connection.end();
  }
}
