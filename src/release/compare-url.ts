import type { VersionEntity } from "../version/version.entity";

type Host = "GITHUB" | "GITLAB" | "BITBUCKET" | "AZURE_DEVOPS";

/** Each host's own page comparing two commits of one repository. */
const COMPARE: Record<Host, (base: string, from: string, to: string) => string> = {
  GITHUB: (base, from, to) => `${base}/compare/${from}...${to}`,
  GITLAB: (base, from, to) => `${base}/-/compare/${from}...${to}`,
  // Bitbucket names the newer side first, separated by an encoded carriage return.
  BITBUCKET: (base, from, to) => `${base}/branches/compare/${to}%0D${from}`,
  AZURE_DEVOPS: (base, from, to) => `${base}/branchCompare?baseVersion=GC${from}&targetVersion=GC${to}`,
};

const PUBLIC_HOSTS: Record<string, Host> = { "github.com": "GITHUB", "gitlab.com": "GITLAB", "bitbucket.org": "BITBUCKET", "dev.azure.com": "AZURE_DEVOPS" };
const DEFAULT_ORIGIN: Partial<Record<Host, string>> = { GITHUB: "https://github.com", GITLAB: "https://gitlab.com", BITBUCKET: "https://bitbucket.org" };

/** The repository's web address and its host: from the recorded http(s) URL, else the public host of the reported type. */
function repositoryWeb(version: VersionEntity): { host: Host; base: string } | null {
  const url = parseHttp(version.sourceUrl);
  const byName = url ? (PUBLIC_HOSTS[url.hostname.toLowerCase()] ?? (url.hostname.endsWith(".visualstudio.com") ? "AZURE_DEVOPS" : undefined)) : undefined;
  const host = (version.sourceType && version.sourceType in COMPARE ? version.sourceType : byName) as Host | undefined;
  if (!host) return null;
  if (url) return { host, base: `${url.origin}${url.pathname.replace(/\/+$/, "").replace(/\.git$/, "")}` };
  const origin = DEFAULT_ORIGIN[host];
  // Azure DevOps repositories live under an organisation and project only their URL knows.
  return origin && version.sourceRepository ? { host, base: `${origin}/${version.sourceRepository}` } : null;
}

function parseHttp(raw: string | null): URL | null {
  if (!raw) return null;
  try {
    const url = new URL(raw);
    return url.protocol === "https:" || url.protocol === "http:" ? url : null;
  } catch {
    return null;
  }
}

/**
 * The host's compare page between the two versions' commits, when both name a commit of the
 * same repository on GitHub, GitLab, Bitbucket or Azure DevOps; null otherwise.
 */
export function sourceCompareUrl(from: VersionEntity, to: VersionEntity): string | null {
  if (!from.sourceCommitSha || !to.sourceCommitSha) return null;
  const a = repositoryWeb(from);
  const b = repositoryWeb(to);
  if (!a || !b || a.host !== b.host || a.base.toLowerCase() !== b.base.toLowerCase()) return null;
  return COMPARE[a.host](a.base, from.sourceCommitSha, to.sourceCommitSha);
}
