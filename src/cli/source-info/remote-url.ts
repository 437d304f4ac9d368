/**
 * Remote and CI URLs may carry credentials (`https://user:token@host/…`, `?private_token=…`); everything
 * here returns only parts that cannot contain them, so no token reaches anything stored or printed.
 */

/** The http(s) URL without user info, query, fragment or trailing slash; null for anything else. */
export function cleanHttpUrl(raw: string | null): string | null {
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  url.username = "";
  url.password = "";
  url.search = "";
  url.hash = "";
  return url.toString().replace(/\/+$/, "");
}

export interface RemoteParts {
  /** `org/repo` (the remote's path without `.git`); for a local-path remote only its last segment. */
  repository: string | null;
  /** The remote itself when it is http(s), credentials removed; null for SSH and local remotes. */
  url: string | null;
}

const URL_FORM = /^[a-z][a-z0-9+.-]*:\/\//i;
// `[user@]host:path` as git reads it: a colon before any slash; one-letter hosts are Windows drives.
const SCP_FORM = /^(?:[^@/]+@)?([^:/]{2,}):(.+)$/;

export function parseRemote(raw: string | null): RemoteParts {
  const remote = raw?.trim();
  if (!remote) return { repository: null, url: null };
  if (URL_FORM.test(remote)) return parseUrlRemote(remote);
  const scp = SCP_FORM.exec(remote);
  if (scp?.[2]) return { repository: repositoryFromPath(scp[2]), url: null };
  return { repository: lastSegment(remote), url: null };
}

function parseUrlRemote(remote: string): RemoteParts {
  let url: URL;
  try {
    url = new URL(remote);
  } catch {
    return { repository: null, url: null };
  }
  const path = safeDecode(url.pathname);
  const repository = url.protocol === "file:" ? lastSegment(path) : repositoryFromPath(path);
  return { repository, url: cleanHttpUrl(remote) };
}

function repositoryFromPath(path: string): string | null {
  const trimmed = path.replace(/^\/+|\/+$/g, "").replace(/\.git$/, "");
  return trimmed || null;
}

function lastSegment(path: string): string | null {
  const segments = path.split(/[\\/]/).filter((s) => s !== "");
  return repositoryFromPath(segments.at(-1) ?? "");
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
