export { detectSourceInfo, PROVIDERS } from "./detect";
export { formatSourceInfoEnv, formatSourceInfoGithubEnv, formatSourceInfoJson, shellQuote } from "./format";
export { createGitRunner } from "./git-runner";
export { parseVersionType } from "./version-type";
export { SOURCE_TYPES, type GitRunner, type SourceInfo, type SourceProvider, type SourceType } from "./types";
