import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import type { JsonObject } from "../json-limits";

/** The versioned properties of a deployment (docs/design.md, "Versioned and non-versioned properties"), after defaults. */
export interface VersionSnapshot {
  entrypoint: string;
  description: string | null;
  tags: string[];
  labels: JsonObject;
  parameters: JsonObject;
  parameterOpenapiSchema: JsonObject | null;
  enforceParameterSchema: boolean;
  workPoolName: string | null;
  workQueueName: string | null;
  jobVariables: JsonObject;
  pullSteps: JsonObject[];
}

/** Their names, in the order the API lists them (and a diff walks them). */
export const VERSIONED_PROPERTIES: ReadonlyArray<keyof VersionSnapshot> = [
  "entrypoint",
  "description",
  "tags",
  "labels",
  "parameters",
  "parameterOpenapiSchema",
  "enforceParameterSchema",
  "workPoolName",
  "workQueueName",
  "jobVariables",
  "pullSteps",
];

/** createVersion takes a whole snapshot, never a patch: each omitted property takes its default. */
export function snapshotOf(input: Partial<{ [K in keyof VersionSnapshot]: VersionSnapshot[K] | null | undefined }> & { entrypoint: string }): VersionSnapshot {
  return {
    entrypoint: input.entrypoint,
    description: input.description ?? null,
    tags: input.tags ?? [],
    labels: input.labels ?? {},
    parameters: input.parameters ?? {},
    parameterOpenapiSchema: input.parameterOpenapiSchema ?? null,
    // Prefect 3 enforces parameter schemas unless told otherwise.
    enforceParameterSchema: input.enforceParameterSchema ?? true,
    workPoolName: input.workPoolName ?? null,
    workQueueName: input.workQueueName ?? null,
    jobVariables: input.jobVariables ?? {},
    pullSteps: input.pullSteps ?? [],
  };
}

/** sha256 hex of RFC 8785 canonical JSON (keys sorted, numbers normalised). */
export function sha256OfJson(value: unknown): string {
  return createHash("sha256")
    .update(canonicalize(value) ?? "null")
    .digest("hex");
}

/**
 * Equal configurations hash equally whatever their version name or source info, so two deploys
 * of the same configuration can be recognised (docs/design.md, "Versions").
 */
export function contentHashOf(snapshot: VersionSnapshot): string {
  return sha256OfJson(snapshot);
}

/** The default version name: the commit's short SHA when known, else v<number>. */
export function defaultVersionName(number: number, commitSha: string | null | undefined): string {
  return commitSha ? commitSha.slice(0, 8) : `v${number}`;
}
