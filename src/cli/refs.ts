import { UsageError } from "./errors";

export interface DeploymentRef {
  flowName: string;
  name: string;
}

/**
 * `FLOW/NAME`. A deployment name never contains `/` (docs/design.md, "Deployments"), so the last `/` separates the two and
 * a flow name with a `/` still works.
 */
export function parseDeploymentRef(text: string): DeploymentRef {
  const slash = text.lastIndexOf("/");
  const flowName = slash > 0 ? text.slice(0, slash) : "";
  const name = slash > 0 ? text.slice(slash + 1) : "";
  if (flowName.trim() === "" || name.trim() === "") {
    throw new UsageError(`"${text}" is not FLOW/NAME (e.g. my-flow/my-deployment)`);
  }
  return { flowName, name };
}

/** What `--to` names: a version number (digits only) or a version name. */
export type Target = { number: number } | { versionName: string };

/** The largest GraphQL Int. */
const MAX_INT = 2 ** 31 - 1;

/** Digits name a version number; anything else is a version name, matched exactly as written. */
export function parseTarget(text: string): Target {
  const trimmed = text.trim();
  if (trimmed === "") throw new UsageError("--to must be a version number or a version name");
  if (!/^\d+$/.test(trimmed)) return { versionName: text };
  const number = Number(trimmed);
  if (number < 1 || number > MAX_INT) throw new UsageError(`--to ${trimmed}: version numbers start at 1 and are at most ${MAX_INT}`);
  return { number };
}

export interface NamedCandidate {
  id: string;
  number: number;
}

/**
 * The one version a `--to NAME` names among the versions with that exact name; none or several is a
 * UsageError, listing the candidates so the user can pick one by number.
 */
export function pickNamedVersion(versionName: string, candidates: readonly NamedCandidate[], total: number): NamedCandidate {
  const [only] = candidates;
  if (only && total === 1) return only;
  if (total === 0) {
    throw new UsageError(`--to "${versionName}": no version has that name; give a version number, or see \`waymark history\``);
  }
  const listed = candidates.map((c) => `version ${c.number} (${c.id})`);
  const more = total > candidates.length ? [`… and ${total - candidates.length} more`] : [];
  throw new UsageError(`--to "${versionName}" names ${total} versions; give one by number (--to NUMBER):`, [...listed, ...more]);
}
