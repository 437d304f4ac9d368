import { isCollection, isScalar, parseDocument, Scalar, visit, type Document, type YAMLError } from "yaml";
import { UsageError } from "../errors";
import { isPlainObject } from "../template";
import { topLevelWarnings } from "./shape";
import { toJsWithinAliasLimits } from "./alias-limit";
import { ownSections, section } from "./action-sections";
import { pyYamlTags, UnsendableNumber } from "./yaml11";

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
 * Parses a prefect.yaml-shaped file as Prefect's PyYAML does: YAML 1.1 scalars (see yaml11.ts),
 * and what `safe_load` refuses refused. Merge keys (`<<: *defaults`) are on because Prefect's own
 * examples use them for shared `definitions`; aliases are bounded (alias-limit.ts) so that many
 * deployments can share definitions while a "billion laughs" file is refused. Throws a UsageError
 * naming the file for malformed YAML or a file without a usable `deployments:` list (an empty or
 * absent one is read as none with `deploymentsOptional`).
 */
export function parseDeployFile(fileText: string, fileName: string, { deploymentsOptional = false } = {}): DeployFile {
  // Prefect opens the file with Python's universal newlines: CRLF and a lone CR are line ends.
  const text = fileText.replace(/\r\n?/g, "\n");
  // The yaml package looks for a repeated key by comparing each key with every earlier one, minutes
  // for a mapping of 100,000 keys; repeatedKeys finds them in one pass instead.
  const doc = parseDocument(text, { version: "1.1", customTags: pyYamlTags, merge: true, prettyErrors: true, uniqueKeys: false });
  // A tag PyYAML's safe_load cannot construct (`!Ref`, `!!python/…`, `!!binary`) makes Prefect refuse the file.
  const unresolved = doc.warnings.filter((e) => e.code === "TAG_RESOLVE_FAILED");
  const errors = [...controlCharacters(text), ...doc.errors.map(messageOf), ...unresolved.map(unresolvedTag)];
  if (errors.length === 0) errors.push(...asPyYamlReadsIt(doc, text));
  if (errors.length > 0) throw new UsageError(`${fileName} is not valid YAML`, errors);
  const root = toJsWithinAliasLimits(doc, fileName);
  if (root === null || root === undefined) throw new UsageError(`${fileName} is empty`);
  if (!isPlainObject(root)) throw new UsageError(`${fileName} must be a mapping with a deployments: list`);
  // An entrypoint given on the command line deploys even a file without deployments (Prefect's default one).
  const none = deploymentsOptional && (root.deployments === undefined || root.deployments === null || isEmptyList(root.deployments));
  const deployments = none ? [] : deploymentsOf(root.deployments, doc, fileName).map(ownSections);
  const warnings = [...repeatedKeys(doc, text), ...topLevelWarnings(root)];
  return { pull: section(root.pull), build: section(root.build), push: section(root.push), deployments, warnings };
}

/** Larger than any prefect.yaml needs; refused before it is read as YAML, so a huge file fails fast. */
export const MAX_DEPLOY_FILE_BYTES = 8 * 1024 * 1024;

/** The file's text: UTF-8 as Prefect opens it (a byte order mark dropped), refusing bytes that are not. */
export function decodeDeployFile(bytes: Uint8Array, fileName: string): string {
  checkDeployFileSize(bytes.byteLength, fileName);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`${fileName} is not UTF-8 text; save it as UTF-8 (prefect deploy reads it as UTF-8 too)`);
  }
}

/** Throws when `size` bytes (of a file, or read so far) are over MAX_DEPLOY_FILE_BYTES. */
export function checkDeployFileSize(size: number, fileName: string): void {
  if (size > MAX_DEPLOY_FILE_BYTES) {
    throw new UsageError(`${fileName} is larger than ${MAX_DEPLOY_FILE_BYTES / 1024 / 1024} MiB; not read`);
  }
}

/** PyYAML's reader refuses these characters anywhere in the file (yaml/reader.py, NON_PRINTABLE). */
const NON_PRINTABLE = /[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

function controlCharacters(text: string): string[] {
  const found = NON_PRINTABLE.exec(text);
  if (!found) return [];
  const code = found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
  return [`${lineAndColumn(text, found.index)}: control character U+${code} (PyYAML refuses the file)`];
}

// The yaml package reports nesting deeper than its stack as a stack overflow; PyYAML refuses it too.
const messageOf = (error: YAMLError) =>
  error.message
    .trimEnd()
    .replace(/^Maximum call stack size exceeded/, "nested too deeply")
    .replace(
      /^Source contains multiple documents; please use YAML\.parseAllDocuments\(\)/,
      "the file holds more than one YAML document (---); prefect.yaml is one",
    );
const unresolvedTag = (error: YAMLError) => `${messageOf(error)}\n(PyYAML's safe_load, which Prefect reads the file with, has no value for that tag)`;

/**
 * Makes the document read as PyYAML reads it, returning what PyYAML refuses: a list or mapping as a
 * key (unhashable in Python). A null key is named "null", as Prefect's JSON names it. A block scalar
 * (`|`, `>`) that runs to the end of a file without a final line break has no line break to keep, so
 * PyYAML ends it without one; the yaml package adds one, which would change the value (and the
 * version's content hash) from what Prefect stores.
 */
function asPyYamlReadsIt(doc: Document, text: string): string[] {
  const problems: string[] = [];
  const unbroken = !text.endsWith("\n");
  visit(doc, {
    Pair(_key, pair) {
      if (isCollection(pair.key)) problems.push(`${lineAndColumn(text, pair.key.range?.[0] ?? 0)}: a key must be text, a number or a boolean`);
      else if (isScalar(pair.key) && pair.key.value === null) pair.key = new Scalar("null");
    },
    Scalar(_key, node) {
      const block = node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED";
      if (unbroken && block && node.range?.[1] === text.length && typeof node.value === "string" && node.value.endsWith("\n")) {
        node.value = node.value.slice(0, -1);
      }
    },
  });
  return problems;
}

function lineAndColumn(text: string, offset: number): string {
  const lines = text.slice(0, offset).split("\n");
  return `line ${lines.length}, column ${lines.at(-1)!.length + 1}`;
}

/**
 * PyYAML accepts a key repeated in one mapping and keeps the last value, as toJS does: a warning
 * naming the repeated key, not an error. Merge keys (`<<`) are not keys of the mapping.
 */
function repeatedKeys(doc: Document, text: string): string[] {
  const warnings: string[] = [];
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const { key } of map.items) {
        if (!isScalar(key) || typeof key.value === "symbol" || (key.value === "<<" && key.type === "PLAIN")) continue;
        const identity = typeof key.value === "string" ? `s${key.value}` : key.value;
        if (seen.has(identity)) warnings.push(`${lineAndColumn(text, key.range?.[0] ?? 0)}: ${REPEATED}`);
        seen.add(identity);
      }
    },
  });
  return warnings;
}

const REPEATED = "a key repeated in one mapping; the last value is used, as PyYAML does";

const isEmptyList = (value: unknown) => Array.isArray(value) && value.length === 0;

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
  // A number JSON cannot carry, written here or merged in: the text written, as for any number.
  if (deployment.version instanceof UnsendableNumber) return { ...deployment, version: deployment.version.source };
  const node = doc.getIn(["deployments", index, "version"], true);
  const scalarType = isScalar(node) ? (node.value instanceof UnsendableNumber ? "number" : typeof node.value) : undefined;
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
