import { UsageError } from "../errors";
import type { SourceType } from "./types";

/** `--version-type` accepts our enum names and Prefect's version-info type names. */
const NAMES: Readonly<Record<string, SourceType>> = {
  github: "GITHUB",
  "vcs:github": "GITHUB",
  gitlab: "GITLAB",
  "vcs:gitlab": "GITLAB",
  bitbucket: "BITBUCKET",
  "vcs:bitbucket": "BITBUCKET",
  azure_devops: "AZURE_DEVOPS",
  "vcs:azuredevops": "AZURE_DEVOPS",
  git: "GIT",
  "vcs:git": "GIT",
  simple: "SIMPLE",
  "prefect:simple": "SIMPLE",
};

export function parseVersionType(name: string): SourceType {
  const type = NAMES[name.trim().toLowerCase()];
  if (type) return type;
  const accepted = Object.keys(NAMES).map((n) => (n.includes(":") ? n : n.toUpperCase()));
  throw new UsageError(`--version-type: unknown type "${name}"; accepted: ${accepted.join(", ")}`);
}
