import { utcText } from "./time";

/** What a deployment's marks are read from (the list and the deployment page ask for these fields). */
export interface Marked {
  paused: boolean;
  archivedAt: string | null;
  pin: { by: string; at: string; reason: string | null } | null;
}

export const MARK_FIELDS = "paused archivedAt pin { by at reason }";

/** Badges for a paused, archived or pinned deployment; the hover text says who, when and why. */
export function DeploymentMarks({ deployment }: { deployment: Marked }) {
  const { paused, archivedAt, pin } = deployment;
  return (
    <>
      {paused && <span class="badge">paused</span>}
      {archivedAt && (
        <span class="badge badge-archived" title={`archived ${utcText(archivedAt)}`}>
          archived
        </span>
      )}
      {pin && (
        <span class="badge badge-pinned" title={`pinned by ${pin.by}, ${utcText(pin.at)}${pin.reason ? `: ${pin.reason}` : ""}`}>
          pinned
        </span>
      )}
    </>
  );
}

/** Why the move buttons would be refused on this deployment, or null when they would not be. */
export function moveBlocker({ archivedAt, pin }: Marked): string | null {
  if (archivedAt) return "This deployment is archived: its live version cannot move until it is restored.";
  if (pin)
    return `The live version is pinned by ${pin.by}${pin.reason ? ` (${pin.reason})` : ""}: deploys record versions without making them live, and moves need the pin lifted first (waymark unpin).`;
  return null;
}
