import type { SourceInfo, SourceType } from "./api";

type Host = "GITHUB" | "GITLAB" | "BITBUCKET" | "AZURE_DEVOPS";

interface Repo {
  host: Host;
  /** The repository's web address, e.g. https://github.com/acme/etl. */
  base: string;
}

const DEFAULT_ORIGINS: Partial<Record<Host, string>> = { GITHUB: "https://github.com", GITLAB: "https://gitlab.com", BITBUCKET: "https://bitbucket.org" };

function hostOf(type: SourceType | null, url: URL | null): Host | null {
  if (type === "GITHUB" || type === "GITLAB" || type === "BITBUCKET" || type === "AZURE_DEVOPS") return type;
  const name = url?.hostname ?? "";
  if (name === "github.com") return "GITHUB";
  if (name === "gitlab.com" || name.startsWith("gitlab.")) return "GITLAB";
  if (name === "bitbucket.org") return "BITBUCKET";
  if (name === "dev.azure.com" || name.endsWith(".visualstudio.com")) return "AZURE_DEVOPS";
  return null;
}

function parseUrl(raw: string | null): URL | null {
  if (!raw) return null;
  try {
    const url = new URL(raw);
    return url.protocol === "https:" || url.protocol === "http:" ? url : null;
  } catch {
    return null;
  }
}

/**
 * The repository behind a version's source info: from its url (a tree, src or ?version= link the
 * CI reported, or a clone address), else from owner/name on the host's public site.
 */
export function repoOf(source: SourceInfo | null): Repo | null {
  if (!source) return null;
  const url = parseUrl(source.url);
  const host = hostOf(source.type, url);
  if (!host) return null;
  if (url) {
    url.search = "";
    url.hash = "";
    const path = url.pathname
      .replace(/\/(-\/)?(tree|src|commit|commits)\/[^/]+.*$/, "")
      .replace(/\.git$/, "")
      .replace(/\/+$/, "");
    return { host, base: url.origin + path };
  }
  const origin = DEFAULT_ORIGINS[host];
  if (!origin || !source.repository || !/^[\w.-]+(\/[\w.-]+)+$/.test(source.repository)) return null;
  return { host, base: `${origin}/${source.repository}` };
}

/** The commit's page on its repository host, or null when the host is not known. */
export function commitUrl(source: SourceInfo | null): string | null {
  const repo = repoOf(source);
  const sha = source?.commitSha;
  if (!repo || !sha) return null;
  const path = { GITHUB: "/commit/", GITLAB: "/-/commit/", BITBUCKET: "/commits/", AZURE_DEVOPS: "/commit/" }[repo.host];
  return repo.base + path + sha;
}

/** The host's page comparing the commits of two versions (older first), when both come from the same repository. */
export function compareUrl(older: SourceInfo | null, newer: SourceInfo | null): string | null {
  const a = repoOf(older);
  const b = repoOf(newer);
  const from = older?.commitSha;
  const to = newer?.commitSha;
  if (!a || !b || a.base !== b.base || !from || !to || from === to) return null;
  switch (a.host) {
    case "GITHUB":
      return `${a.base}/compare/${from}...${to}`;
    case "GITLAB":
      return `${a.base}/-/compare/${from}...${to}`;
    case "BITBUCKET":
      return `${a.base}/branches/compare/${to}%0D${from}`;
    case "AZURE_DEVOPS":
      return `${a.base}/branchCompare?baseVersion=GC${from}&targetVersion=GC${to}`;
  }
}
