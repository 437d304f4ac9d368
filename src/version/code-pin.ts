/**
 * What exact code a version runs (docs/design.md, "Code pins"), read from its pull steps and job variables. Pure: no
 * database, no GraphQL, so the server and the CLI share it.
 */

import { isJsonObject } from "../json-object";

export interface CodePin {
  commitSha: string | null;
  /** The git_clone repository, credentials removed. */
  repository: string | null;
  /** `sha256:<64 hex>` from a `name@sha256:…` image. */
  imageDigest: string | null;
  /** True only when every code source is fixed by a full SHA or a digest; false when there is none. */
  pinned: boolean;
  warnings: string[];
}

interface CodeSource {
  pinned: boolean;
  warnings: string[];
  commitSha?: string | null;
  repository?: string | null;
  imageDigest?: string | null;
}

const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
const SHA = /^[0-9a-f]{4,64}$/i;
const RUNTIME_PLACEHOLDER = /^\{\{\s*(?:(?:prefect|ctx)\.[^{}]*|\$[A-Za-z_][A-Za-z0-9_]*\s*)\}\}$/;
const IMAGE_DIGEST = /@(sha256:[0-9a-f]{64})$/i;

/** A pull step is a one-key mapping `{ <step function>: { …arguments } }`; this is the function's name. */
function stepName(step: unknown): string | null {
  if (!isJsonObject(step)) return null;
  const keys = Object.keys(step);
  return keys.length === 1 ? (keys[0] ?? null) : null;
}

const shortName = (name: string) => name.slice(name.lastIndexOf(".") + 1);
const stepPath = (path: string, i: number, name: string) => `${path}[${i}]${/^[A-Za-z_]\w*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`}`;
const nonEmptyString = (value: unknown): value is string => typeof value === "string" && value !== "";
const isGitClone = (name: string | null) => name !== null && shortName(name) === "git_clone";

/** Removes `user:token@` from a URL; scp-style `git@host:path` remotes keep their (non-secret) user. */
export function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, "$1");
}

function gitCloneSource(args: Record<string, unknown>): CodeSource {
  const repository = typeof args.repository === "string" ? withoutCredentials(args.repository) : null;
  const commit = args.commit_sha;
  const branch = nonEmptyString(args.branch) ? args.branch : null;
  if (commit === undefined || commit === null || commit === "") {
    const follows = branch ? `branch ${branch}` : "the default branch";
    return { pinned: false, repository, commitSha: null, warnings: [`git_clone follows ${follows}`] };
  }
  if (typeof commit === "string" && FULL_SHA.test(commit)) {
    return { pinned: true, repository, commitSha: commit, warnings: [] };
  }
  if (typeof commit === "string" && SHA.test(commit)) {
    return { pinned: false, repository, commitSha: commit, warnings: ["commit_sha is abbreviated"] };
  }
  const runtime = typeof commit === "string" && RUNTIME_PLACEHOLDER.test(commit);
  const warning = runtime ? "commit_sha is a runtime placeholder" : "commit_sha is not a commit SHA";
  return { pinned: false, repository, commitSha: null, warnings: [warning] };
}

function stepSource(step: unknown): CodeSource[] {
  const name = stepName(step);
  if (name === null || !isJsonObject(step)) return [];
  const args = step[name];
  if (isGitClone(name)) return [gitCloneSource(isJsonObject(args) ? args : {})];
  // pull_from_s3, pull_with_block, …: code fetched by a step that has no notion of a fixed version.
  const short = shortName(name);
  return short.startsWith("pull_") ? [{ pinned: false, warnings: [`${short} cannot be pinned to a version`] }] : [];
}

/** The image's tag: after the last `:` of the last path segment (an earlier `:` is a registry port). */
function imageTag(image: string): string | null {
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastSegment.lastIndexOf(":");
  return colon >= 0 ? lastSegment.slice(colon + 1) : null;
}

function imageSource(image: unknown): CodeSource[] {
  if (typeof image !== "string" || image.trim() === "") return [];
  const digest = IMAGE_DIGEST.exec(image)?.[1];
  if (digest) return [{ pinned: true, imageDigest: digest, warnings: [] }];
  if (image.includes("{{")) return [{ pinned: false, warnings: ["image is a runtime placeholder"] }];
  if (image.includes("@")) return [{ pinned: false, warnings: ["image digest is not sha256:<64 hex>"] }];
  const tag = imageTag(image);
  if (tag === null) return [{ pinned: false, warnings: ["image uses tag latest (implicitly: no tag or digest)"] }];
  const warning = tag === "latest" ? "image uses tag latest" : `image uses tag ${tag} (not a digest)`;
  return [{ pinned: false, warnings: [warning] }];
}

export function codePinOf(pullSteps: unknown[], jobVariables: Record<string, unknown>): CodePin {
  const gitSources = pullSteps.flatMap(stepSource);
  const image = imageSource(jobVariables.image);
  const sources = [...gitSources, ...image];
  const firstClone = gitSources.find((s) => s.repository !== undefined);
  return {
    commitSha: firstClone?.commitSha ?? null,
    repository: firstClone?.repository ?? null,
    imageDigest: image[0]?.imageDigest ?? null,
    pinned: sources.length > 0 && sources.every((s) => s.pinned),
    warnings: sources.flatMap((s) => s.warnings),
  };
}

function gitCloneProblems(args: unknown, path: string): string[] {
  if (!isJsonObject(args)) return [`${path} must be a mapping of git_clone arguments`];
  const problems: string[] = [];
  if (typeof args.repository !== "string" || args.repository.trim() === "") {
    problems.push(`${path}.repository is required`);
  }
  const commit = args.commit_sha;
  if (commit !== undefined && commit !== null) {
    if (typeof commit !== "string") problems.push(`${path}.commit_sha must be a quoted string`);
    else if (!SHA.test(commit) && !RUNTIME_PLACEHOLDER.test(commit)) {
      problems.push(`${path}.commit_sha "${commit}" is not 4–64 hex characters or a runtime placeholder`);
    }
    if (nonEmptyString(args.branch)) {
      problems.push(`${path}: commit_sha cannot be combined with branch; use one of them`);
    }
  }
  return problems;
}

/**
 * Problems that make pull steps unusable, as human-readable sentences naming the step (`path` is how
 * the caller names the list: `pullSteps` in the API, `deployments[0].pull` in a file).
 */
export function validatePullSteps(pullSteps: unknown, path = "pullSteps"): string[] {
  if (!Array.isArray(pullSteps)) return [`${path} must be a list`];
  return pullSteps.flatMap((step, i) => {
    const name = stepName(step);
    if (name === null || !isJsonObject(step)) return [`${path}[${i}] must be a mapping with exactly one step`];
    return isGitClone(name) ? gitCloneProblems(step[name], stepPath(path, i, name)) : [];
  });
}
