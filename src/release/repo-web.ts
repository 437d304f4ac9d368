/**
 * Links to a version's code on its repository host, from the source info the CI reported: the
 * commit's page, and the page comparing two versions' commits. One module for the server
 * (versionDiff's sourceCompareUrl) and the history page (ui/), so both make the same links. It
 * imports nothing, so the page's bundle can take it whole.
 */

export type RepoHost = "GITHUB" | "GITLAB" | "BITBUCKET" | "AZURE_DEVOPS";

/** What the links are made from: a version's source info. */
export interface SourceRef {
  type: string | null;
  url: string | null;
  repository: string | null;
  commitSha: string | null;
}

interface Repo {
  host: RepoHost;
  /** The repository's web address, e.g. https://github.com/acme/etl. */
  base: string;
}

/** The public sites a reported type without a URL points at; Azure DevOps repositories need their URL (organisation and project). */
const DEFAULT_ORIGINS: Partial<Record<RepoHost, string>> = { GITHUB: "https://github.com", GITLAB: "https://gitlab.com", BITBUCKET: "https://bitbucket.org" };
const PUBLIC_HOSTS: Record<string, RepoHost> = {
  "github.com": "GITHUB",
  "gitlab.com": "GITLAB",
  "bitbucket.org": "BITBUCKET",
  "dev.azure.com": "AZURE_DEVOPS",
};

const COMMIT_PATH: Record<RepoHost, string> = { GITHUB: "/commit/", GITLAB: "/-/commit/", BITBUCKET: "/commits/", AZURE_DEVOPS: "/commit/" };
/** Each host's own page comparing two commits of one repository. */
const COMPARE: Record<RepoHost, (base: string, from: string, to: string) => string> = {
  GITHUB: (base, from, to) => `${base}/compare/${from}...${to}`,
  GITLAB: (base, from, to) => `${base}/-/compare/${from}...${to}`,
  // Bitbucket names the newer side first, separated by an encoded carriage return.
  BITBUCKET: (base, from, to) => `${base}/branches/compare/${to}%0D${from}`,
  AZURE_DEVOPS: (base, from, to) => `${base}/branchCompare?baseVersion=GC${from}&targetVersion=GC${to}`,
};

/** The reported type when it names a host; else the host of a public site's URL (a self-hosted one is not guessed). */
function hostOf(type: string | null, url: URL | null): RepoHost | null {
  if (type && type in COMPARE) return type as RepoHost;
  const name = url?.hostname.toLowerCase() ?? "";
  return PUBLIC_HOSTS[name] ?? (name.endsWith(".visualstudio.com") ? "AZURE_DEVOPS" : null);
}

/** An http(s) URL, or null (a javascript: or other scheme never becomes a link). */
function httpUrl(raw: string | null): URL | null {
  if (!raw) return null;
  try {
    const url = new URL(raw);
    return url.protocol === "https:" || url.protocol === "http:" ? url : null;
  } catch {
    return null;
  }
}

/**
 * The repository behind a version's source info: from its URL (a tree, src or ?version= link the
 * CI reported, or a clone address), else from owner/name on the host's public site.
 */
export function repoOf(source: SourceRef | null): Repo | null {
  if (!source) return null;
  const url = httpUrl(source.url);
  const host = hostOf(source.type, url);
  if (!host) return null;
  if (url) {
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
export function commitUrl(source: SourceRef | null): string | null {
  const repo = repoOf(source);
  const sha = source?.commitSha;
  return repo && sha ? repo.base + COMMIT_PATH[repo.host] + sha : null;
}

/** The host's page comparing the commits of two versions (older first), when both name a different commit of the same repository. */
export function compareUrl(older: SourceRef | null, newer: SourceRef | null): string | null {
  const a = repoOf(older);
  const b = repoOf(newer);
  const from = older?.commitSha;
  const to = newer?.commitSha;
  if (!a || !b || a.host !== b.host || a.base.toLowerCase() !== b.base.toLowerCase() || !from || !to || from === to) return null;
  return COMPARE[a.host](a.base, from, to);
}
