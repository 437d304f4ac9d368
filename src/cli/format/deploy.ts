import type { CodePin, CreateVersionPayload } from "../operations";
import type { SourceInfo } from "../source-info";
import { shortSha, versionLabel } from "./text";

/** What `waymark deploy` prints for one deployment (or, with --dry-run, would do): the version, whether it is live, whether its code is pinned. */
export function formatDeployed(payload: CreateVersionPayload): string {
  const { deployment, version, dryRun } = payload;
  const live = version.isLive ? (dryRun ? "yes (would be)" : "yes") : `no (${versionLabel(deployment.liveVersion)} ${dryRun ? "would stay" : "is"} live)`;
  const verb = payload.created === false ? `Unchanged (nothing ${dryRun ? "would be " : ""}created)` : dryRun ? "Would deploy" : "Deployed";
  // A dry run's version has no id yet (the server answers a placeholder).
  const id = dryRun && payload.created !== false ? "" : ` (id ${version.id})`;
  const lines = [
    `${verb} ${deployment.flowName}/${deployment.name}: ${versionLabel(version)}${id}`,
    `  live:   ${live}`,
    `  code:   ${pinSummary(version.codePin)}`,
    `  source: ${sourceSummary(version.sourceInfo)}`,
    ...version.codePin.warnings.map((w) => `  warning: ${w}`),
    ...(payload.warnings ?? []).map((w) => `  warning: ${w}`),
  ];
  return `${lines.join("\n")}\n`;
}

export function pinSummary(pin: CodePin): string {
  const parts = [
    pin.commitSha ? `commit ${pin.commitSha}${pin.repository ? ` of ${pin.repository}` : ""}` : pin.repository,
    pin.imageDigest ? `image ${pin.imageDigest}` : null,
  ].filter((p): p is string => p !== null);
  const what = parts.length > 0 ? ` (${parts.join(", ")})` : "";
  if (pin.pinned) return `pinned${what}`;
  return pin.warnings.length === 0 && parts.length === 0 ? "not pinned (no git_clone step or image)" : `NOT pinned${what}`;
}

function sourceSummary(info: (Pick<SourceInfo, "repository" | "branch" | "commitSha"> & { type: string | null }) | null): string {
  if (!info) return "none";
  const parts = [info.type, info.repository, info.branch, info.commitSha ? shortSha(info.commitSha) : null];
  return parts.filter((p): p is string => typeof p === "string" && p !== "").join(" ");
}
