import { isScalar, parseDocument, type Document } from "yaml";
import { UsageError } from "../errors";
import { isPlainObject } from "../template";

export interface DeployFile {
  /** The top-level `pull:` steps as written (unresolved), or undefined. */
  pull: unknown;
  /** The top-level `build:` and `push:` steps as written, or undefined. */
  build: unknown;
  push: unknown;
  deployments: Array<Record<string, unknown>>;
}

/**
 * Parses a prefect.yaml-shaped file. Merge keys (`<<: *defaults`) are on because Prefect's own examples
 * use them for shared `definitions` (the alias limit, which guards against "billion laughs" files, is
 * raised so that many deployments can share definitions). Throws a UsageError naming the file for malformed YAML or a
 * file without a usable `deployments:` list.
 */
export function parseDeployFile(text: string, fileName: string): DeployFile {
  const doc = parseDocument(text, { merge: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new UsageError(`${fileName} is not valid YAML`, doc.errors.map((e) => e.message.trimEnd()));
  }
  const root: unknown = doc.toJS({ maxAliasCount: 1000 });
  if (root === null || root === undefined) throw new UsageError(`${fileName} is empty`);
  if (!isPlainObject(root)) throw new UsageError(`${fileName} must be a mapping with a deployments: list`);
  return { pull: root.pull, build: root.build, push: root.push, deployments: deploymentsOf(root.deployments, doc, fileName) };
}

function deploymentsOf(value: unknown, doc: Document, fileName: string): Array<Record<string, unknown>> {
  if (!Array.isArray(value) || value.length === 0) {
    throw new UsageError(`${fileName}: deployments: must be a non-empty list`);
  }
  const problems = value.flatMap((d, i) => (isPlainObject(d) ? [] : [`deployments[${i}] must be a mapping`]));
  if (problems.length > 0) throw new UsageError(`${fileName} has malformed deployments`, problems);
  return (value as Array<Record<string, unknown>>).map((d, i) => withVersionText(d, doc, i));
}

/** `version: 1.10` is a YAML number (1.1); the version name the user wrote is its source text. */
function withVersionText(deployment: Record<string, unknown>, doc: Document, index: number) {
  const node = doc.getIn(["deployments", index, "version"], true);
  if (!isScalar(node) || typeof node.value !== "number" || !node.source) return deployment;
  return { ...deployment, version: node.source };
}

/** `pull` must be a list of steps; anything else is a problem at its path. */
export function pullStepsAt(value: unknown, path: string, problems: string[]): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value;
  problems.push(`${path} must be a list of pull steps`);
  return undefined;
}
