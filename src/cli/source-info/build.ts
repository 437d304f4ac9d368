import type { GitRunner, SourceInfo, SourceType } from "./types";

type Fields = Omit<SourceInfo, "type" | "version">;

/** Assembles a SourceInfo; `version` is the first 8 characters of the commit SHA, as versions are named (docs/design.md, "Versions"). */
export function sourceInfo(type: SourceType, fields: Fields): SourceInfo {
  const { commitSha, branch, repository, url, message } = fields;
  return { type, version: commitSha ? commitSha.slice(0, 8) : null, commitSha, branch, repository, url, message };
}

const HEX_SHA = /^[0-9a-f]{4,64}$/i;

/**
 * First line of the commit's message when that commit is in the local checkout. The SHA is checked
 * before it becomes an argument: it comes from the environment and must not be read as a git option.
 */
export async function commitMessage(git: GitRunner, commitSha: string | null): Promise<string | null> {
  if (!commitSha || !HEX_SHA.test(commitSha)) return null;
  const body = await git(["log", "-1", "--pretty=%B", commitSha, "--"]);
  const firstLine = body?.split(/\r?\n/, 1)[0]?.trim();
  return firstLine ? firstLine : null;
}

/** A branch name from a full ref: `refs/heads/x` → `x`; tags, pull-request and other refs are not branches. */
export function branchFromRef(ref: string | null): string | null {
  if (!ref) return null;
  if (ref.startsWith("refs/heads/")) return ref.slice("refs/heads/".length) || null;
  return ref.startsWith("refs/") ? null : ref;
}
