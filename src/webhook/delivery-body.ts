import { encodeId } from "../ids";
import type { WriteTx } from "../db/write-store";

/** A version as a webhook body names it. */
export interface VersionRef {
  id: string;
  number: number;
  version: string;
  commitSha: string | null;
  sourceUrl: string | null;
  sourceRepository: string | null;
}

/** The JSON body of a delivery: the live change with the fields the subscription gives. */
export interface WebhookEvent {
  id: string;
  sequence: number;
  kind: string;
  actor: string;
  reason: string | null;
  at: string;
  deployment: { id: string; name: string; flowName: string };
  previousVersion: VersionRef | null;
  liveVersion: VersionRef;
}

const VERSION_COLUMNS = (alias: string) =>
  ["id", "number", "version", "source_commit_sha", "source_url", "source_repository"].map((c) => `${alias}.${c} AS ${alias}_${c}`).join(", ");

type Row = Record<string, unknown>;

function versionOf(row: Row, alias: string): VersionRef | null {
  if (row[`${alias}_id`] == null) return null;
  const text = (name: string) => (row[`${alias}_${name}`] as string | null) ?? null;
  return {
    id: encodeId("version", Number(row[`${alias}_id`])),
    number: Number(row[`${alias}_number`]),
    version: String(row[`${alias}_version`]),
    commitSha: text("source_commit_sha"),
    sourceUrl: text("source_url"),
    sourceRepository: text("source_repository"),
  };
}

/** The event of a committed change, read back from the log (the log is immutable, so a retry sends the same body). */
export async function readEvent(reads: Pick<WriteTx, "rows">, changeId: number): Promise<WebhookEvent | null> {
  const [row] = await reads.rows<Row>(
    `SELECT c.id, c.sequence, c.kind, c.actor, c.reason, c.at, d.id AS d_id, d.name AS d_name, d.flow_name AS d_flow_name, ${VERSION_COLUMNS("p")}, ${VERSION_COLUMNS("l")}
     FROM live_version_change c JOIN deployment d ON d.id = c.deployment_id
     LEFT JOIN deployment_version p ON p.id = c.previous_version_id JOIN deployment_version l ON l.id = c.live_version_id
     WHERE c.id = ?`,
    [changeId],
  );
  if (!row) return null;
  return {
    id: encodeId("change", Number(row.id)),
    sequence: Number(row.sequence),
    kind: String(row.kind),
    actor: String(row.actor),
    reason: (row.reason as string | null) ?? null,
    at: new Date(Number(row.at)).toISOString(),
    deployment: { id: encodeId("deployment", Number(row.d_id)), name: String(row.d_name), flowName: String(row.d_flow_name) },
    previousVersion: versionOf(row, "p"),
    liveVersion: versionOf(row, "l")!,
  };
}

const VERBS: Record<string, string> = { CREATE: "deployed", ROLLBACK: "rolled back", PROMOTE: "promoted" };

/** A link to the commit, when the version says where its source lives. */
function commitLink(version: VersionRef): string | null {
  if (!version.commitSha) return null;
  const label = version.commitSha.slice(0, 8);
  const repo = version.sourceRepository?.replace(/\.git$/, "");
  if (repo && /^https:\/\/(github\.com|gitlab\.com|bitbucket\.org)\//.test(repo)) return `<${linkTarget(`${repo}/commit/${version.commitSha}`)}|${label}>`;
  return version.sourceUrl ? `<${linkTarget(version.sourceUrl)}|${label}>` : label;
}

/** A link's address with Slack's control characters percent-encoded, so it cannot close the link and open a mention or another link. */
const linkTarget = (url: string) => url.replace(/[<>|\s]/g, (c) => encodeURIComponent(c));

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A Slack incoming-webhook message: who, what, which flow/deployment, from → to, reason, commit. */
export function slackMessage(event: WebhookEvent): { text: string } {
  const name = (v: VersionRef | null) => (v ? `${escape(v.version)} (#${v.number})` : "nothing");
  const lines = [
    `*${escape(event.actor)}* ${VERBS[event.kind] ?? event.kind.toLowerCase()} *${escape(event.deployment.flowName)}/${escape(event.deployment.name)}*: ${name(event.previousVersion)} → ${name(event.liveVersion)}`,
  ];
  if (event.reason) lines.push(`> ${escape(event.reason)}`);
  const link = commitLink(event.liveVersion);
  if (link) lines.push(`Commit: ${link}`);
  return { text: lines.join("\n") };
}
