import { firstCharacters } from "../characters";
import { badInput } from "../errors";
import { decodeId } from "../ids";
import { jsonProblems } from "../json-limits";
import { nameProblems } from "../deployment/names";
import { settingsOf, type SettingsPatch } from "../deployment/settings";
import { validatePullSteps } from "./code-pin";
import { literalSecretsInPullSteps, stringProblems } from "./refusals";
import { snapshotOf, type VersionSnapshot } from "./snapshot";
import type { CreateVersionInput, SourceInfoInput } from "./version.input";

export type DeploymentRef = { id: number; publicId: string } | { flowName: string; name: string };

export interface SourceFields {
  type: string | null;
  version: string | null;
  commitSha: string | null;
  branch: string | null;
  repository: string | null;
  url: string | null;
  message: string | null;
}

/** A createVersion request after every shape rule of docs/design.md ("Domain") has been checked. */
export interface CreateRequest {
  target: DeploymentRef;
  snapshot: VersionSnapshot;
  versionName: string | null;
  source: SourceFields | null;
  settings: SettingsPatch;
  idempotencyKey: string | null;
  expectedLiveVersionId: string | null;
  /** NEVER: record the version without making it live. */
  makeLive: "AUTO" | "NEVER";
  /** SKIP: create nothing when the content equals the live version's. */
  ifUnchanged: "CREATE" | "SKIP";
}

function targetOf(input: CreateVersionInput, problems: string[]): DeploymentRef {
  if (input.deploymentId != null) {
    if (input.flowName != null || input.name != null) problems.push("Give deploymentId or flowName and name, not both");
    return { id: decodeId("deployment", input.deploymentId) ?? -1, publicId: input.deploymentId };
  }
  if (input.flowName == null || input.name == null) {
    problems.push("Give deploymentId, or flowName and name");
    return { id: -1, publicId: "" };
  }
  problems.push(...nameProblems("flowName", input.flowName), ...nameProblems("name", input.name));
  return { flowName: input.flowName, name: input.name };
}

function sourceOf(input: SourceInfoInput | null | undefined, problems: string[]): SourceFields | null {
  if (!input) return null;
  if (input.url != null && !/^https?:\/\/[^\s]+$/i.test(input.url)) problems.push("sourceInfo.url must be an http or https URL");
  const line = input.message?.split(/\r?\n/, 1)[0];
  const message = line == null ? null : firstCharacters(line, 1000);
  return {
    type: input.type ?? null,
    version: input.version ?? null,
    commitSha: input.commitSha?.toLowerCase() ?? null,
    branch: input.branch ?? null,
    repository: input.repository ?? null,
    url: input.url ?? null,
    message,
  };
}

function snapshotFrom(input: CreateVersionInput, problems: string[]): VersionSnapshot {
  const json: Array<[keyof CreateVersionInput, "object" | "list"]> = [
    ["labels", "object"],
    ["parameters", "object"],
    ["jobVariables", "object"],
    ["pullSteps", "list"],
  ];
  for (const [field, shape] of json) {
    if (input[field] != null) problems.push(...jsonProblems(field, input[field], shape));
  }
  if (input.parameterOpenapiSchema != null) problems.push(...jsonProblems("parameterOpenapiSchema", input.parameterOpenapiSchema, "object"));
  if (!input.entrypoint.trim()) problems.push("entrypoint must not be empty");
  const snapshot = snapshotOf(input as Parameters<typeof snapshotOf>[0]);
  if (Array.isArray(snapshot.pullSteps)) {
    snapshot.pullSteps.forEach((step, i) => {
      if (typeof step !== "object" || step === null || Array.isArray(step)) problems.push(`pullSteps[${i}] must be a JSON object`);
    });
    problems.push(...validatePullSteps(snapshot.pullSteps), ...literalSecretsInPullSteps(snapshot.pullSteps));
  }
  return snapshot;
}

/** Checks a createVersion input and returns it normalised; every problem found is reported at once. */
export function createRequestOf(input: CreateVersionInput): CreateRequest {
  const problems: string[] = [];
  const target = targetOf(input, problems);
  const snapshot = snapshotFrom(input, problems);
  const source = sourceOf(input.sourceInfo, problems);
  const settings = settingsOf(input.settings ?? {}, problems, "settings.");
  // A worker resolves `{{ $NAME }}` in pull steps from its own environment; the client names the ones it kept.
  const { pullSteps, ...rest } = input;
  const refused = stringProblems(rest, "input");
  const pull = stringProblems(pullSteps, "input.pullSteps", new Set(input.runtimeEnv ?? []));
  problems.push(...refused.templates, ...pull.templates, ...refused.urls, ...pull.urls);
  if (input.version != null && !input.version.trim()) problems.push("version must not be empty when given");
  if (problems.length > 0) throw badInput([...new Set(problems)].join("; "), { problems: [...new Set(problems)] });
  return {
    target,
    snapshot,
    versionName: input.version ?? null,
    source,
    settings,
    idempotencyKey: input.idempotencyKey ?? null,
    expectedLiveVersionId: input.expectedLiveVersionId ?? null,
    makeLive: input.makeLive ?? "AUTO",
    ifUnchanged: input.ifUnchanged ?? "CREATE",
  };
}
