import { UsageError } from "../errors";
import { parseVersionType } from "../source-info/version-type";
import { childPath } from "../template";

/**
 * The source-info type a deployment forces: `--version-type`, else the file's `version_type`
 * (Prefect's own key, e.g. `vcs:github`), checked here so that a wrong one fails before anything
 * is created. Undefined when neither is set, so the type is detected.
 */
export function versionTypeOf(record: Record<string, unknown>, path: string, override: string | null | undefined, problems: string[]): string | undefined {
  if (override) return override;
  const value = record.version_type;
  if (value === undefined || value === null) return undefined;
  const at = childPath(path, "version_type");
  if (typeof value !== "string" || value.trim() === "") {
    problems.push(`${at} must be a source type such as vcs:github or simple`);
    return undefined;
  }
  try {
    parseVersionType(value);
    return value;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    problems.push(`${at}: ${error.message.replace(/^--version-type: /, "")}`);
    return undefined;
  }
}
