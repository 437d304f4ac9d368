/** The versioned properties of a version, as compared between two versions. */
export const VERSIONED_FIELDS = `version description entrypoint tags labels parameters parameterOpenapiSchema enforceParameterSchema
  workPoolName workQueueName jobVariables pullSteps contentHash`;

export const VERSIONED_PROPERTIES = [
  "version",
  "description",
  "entrypoint",
  "workPoolName",
  "workQueueName",
  "enforceParameterSchema",
  "tags",
  "labels",
  "parameters",
  "parameterOpenapiSchema",
  "jobVariables",
  "pullSteps",
] as const;

export interface Difference {
  /** A property, or a path inside one: jobVariables.image, pullSteps[0].git_clone.commit_sha. */
  path: string;
  before: unknown;
  after: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
/** A key's own value, or undefined: `constructor` or `__proto__` missing on one side is absent, not Object's member. */
const own = (object: Record<string, unknown>, key: string): unknown => (Object.hasOwn(object, key) ? object[key] : undefined);

/** Every leaf that differs between two JSON values, with its path; a value missing on one side is undefined there. */
export function jsonDifferences(before: unknown, after: unknown, path: string, out: Difference[] = []): Difference[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) jsonDifferences(own(before, key), own(after, key), path ? `${path}.${key}` : key, out);
  } else if (Array.isArray(before) && Array.isArray(after)) {
    for (let i = 0; i < Math.max(before.length, after.length); i++) jsonDifferences(before[i], after[i], `${path}[${i}]`, out);
  } else if (JSON.stringify(before) !== JSON.stringify(after)) {
    out.push({ path, before, after });
  }
  return out;
}

/** The differences of the versioned properties of two versions, property by property in a fixed order. */
export function versionDifferences(before: Record<string, unknown>, after: Record<string, unknown>): Difference[] {
  const out: Difference[] = [];
  for (const property of VERSIONED_PROPERTIES) jsonDifferences(before[property], after[property], property, out);
  return out;
}

/** How a value of a difference reads: JSON, or "—" for absent. */
export function showValue(value: unknown): string {
  return value === undefined ? "—" : JSON.stringify(value);
}
