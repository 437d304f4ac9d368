import { isScalar, parseDocument, type Document, type YAMLError } from "yaml";
import { UsageError } from "../errors";
import { isPlainObject } from "../template";
import { topLevelWarnings } from "./shape";
import { pyYamlTags } from "./yaml11";

export interface DeployFile {
  /** The top-level `pull:` steps as written (unresolved), or undefined. */
  pull: unknown;
  /** The top-level `build:` and `push:` steps as written, or undefined. */
  build: unknown;
  push: unknown;
  deployments: Array<Record<string, unknown>>;
  /** Top-level keys that are not read. */
  warnings: string[];
}

/**
 * Parses a prefect.yaml-shaped file as Prefect's PyYAML does: YAML 1.1 scalars (see yaml11.ts).
 * Merge keys (`<<: *defaults`) are on because Prefect's own examples use them for shared
 * `definitions` (the alias limit, which guards against "billion laughs" files, is raised so that many
 * deployments can share definitions). Throws a UsageError naming the file for malformed YAML or a
 * file without a usable `deployments:` list.
 */
export function parseDeployFile(text: string, fileName: string): DeployFile {
  const doc = parseDocument(text, { version: "1.1", customTags: pyYamlTags, merge: true, prettyErrors: true });
  // PyYAML accepts a key repeated in one mapping and keeps the last value, as toJS does: a warning, not an error.
  const repeated = doc.errors.filter((e) => e.code === "DUPLICATE_KEY");
  const errors = doc.errors.filter((e) => e.code !== "DUPLICATE_KEY");
  if (errors.length > 0) {
    throw new UsageError(
      `${fileName} is not valid YAML`,
      errors.map((e) => e.message.trimEnd()),
    );
  }
  const root: unknown = doc.toJS({ maxAliasCount: 1000 });
  if (root === null || root === undefined) throw new UsageError(`${fileName} is empty`);
  if (!isPlainObject(root)) throw new UsageError(`${fileName} must be a mapping with a deployments: list`);
  const deployments = deploymentsOf(root.deployments, doc, fileName);
  const warnings = [...repeated.map(repeatedKeyWarning), ...topLevelWarnings(root)];
  return { pull: root.pull, build: root.build, push: root.push, deployments, warnings };
}

function repeatedKeyWarning(error: YAMLError): string {
  const at = error.linePos?.[0];
  const where = at ? `line ${at.line}, column ${at.col}` : "a mapping";
  return `${where}: a key repeated in one mapping; the last value is used, as PyYAML does`;
}

function deploymentsOf(value: unknown, doc: Document, fileName: string): Array<Record<string, unknown>> {
  if (!Array.isArray(value) || value.length === 0) {
    throw new UsageError(`${fileName}: deployments: must be a non-empty list`);
  }
  const problems = value.flatMap((d, i) => (isPlainObject(d) ? [] : [`deployments[${i}] must be a mapping`]));
  if (problems.length > 0) throw new UsageError(`${fileName} has malformed deployments`, problems);
  return (value as Array<Record<string, unknown>>).map((d, i) => withVersionText(d, doc, i));
}

/** `version: 1.10` is a YAML number (1.1), `version: yes` a boolean; the version name the user wrote is its source text. */
function withVersionText(deployment: Record<string, unknown>, doc: Document, index: number) {
  const node = doc.getIn(["deployments", index, "version"], true);
  const scalarType = isScalar(node) ? typeof node.value : undefined;
  if (!isScalar(node) || (scalarType !== "number" && scalarType !== "boolean") || !node.source) return deployment;
  return { ...deployment, version: node.source };
}

/** `pull` must be a list of steps, or one step as a mapping (Prefect wraps it); anything else is a problem at its path. */
export function pullStepsAt(value: unknown, path: string, problems: string[]): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value;
  if (isPlainObject(value) && Object.keys(value).length > 0) return [value];
  problems.push(`${path} must be a list of pull steps`);
  return undefined;
}
