import type { ScalarTag, Tags } from "yaml";
import { isExactInteger } from "../../limits/exact-double";
import { childPath, isPlainObject } from "../template";

/**
 * Plain scalars read the way PyYAML's `safe_load` reads them, since that is what Prefect parses
 * prefect.yaml with: YAML 1.1 (`yes`/`off` are booleans, `1:30` is 90, `017` is octal), but with
 * PyYAML's own patterns where the `yaml` package's 1.1 schema is broader — `y`/`n` stay strings,
 * `1e3` (no dot, no exponent sign) stays a string, `01:02` stays a string. The patterns below are
 * PyYAML's implicit resolvers (yaml/resolver.py).
 *
 * Timestamps are deliberately left as the text written: PyYAML makes `2024-06-01` a date, which
 * Prefect then sends as "2024-06-01"; a JavaScript Date would be sent as a full ISO instant instead.
 */
const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

const REPLACED = new Set(["tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"]);
/**
 * Values with no JSON form: PyYAML makes bytes, sets and lists of pairs of them, which Prefect cannot
 * send as they are. Left out of the schema, they are unresolved tags, which parse.ts refuses.
 */
const NOT_JSON = new Set(["tag:yaml.org,2002:binary", "tag:yaml.org,2002:set", "tag:yaml.org,2002:omap", "tag:yaml.org,2002:pairs"]);

/** `a:b:c` in base 60, as PyYAML's constructors read it (the sign applies to the whole). */
function sexagesimal(digits: string, sign: number, parse: (part: string) => number): number {
  return sign * digits.split(":").reduce((total, part) => total * 60 + parse(part), 0);
}

function signOf(text: string): [number, string] {
  if (text.startsWith("-")) return [-1, text.slice(1)];
  return [1, text.startsWith("+") ? text.slice(1) : text];
}

export function pyYamlInt(source: string): number {
  const [sign, text] = signOf(source.replace(/_/g, ""));
  if (text === "0") return 0;
  if (text.startsWith("0b")) return sign * parseInt(text.slice(2), 2);
  if (text.startsWith("0x")) return sign * parseInt(text.slice(2), 16);
  if (text.startsWith("0")) return sign * parseInt(text.slice(1), 8);
  if (text.includes(":")) return sexagesimal(text, sign, (part) => parseInt(part, 10));
  return sign * parseInt(text, 10);
}

export function pyYamlFloat(source: string): number {
  const [sign, text] = signOf(source.replace(/_/g, "").toLowerCase());
  if (text === ".inf") return sign * Infinity;
  if (text === ".nan") return NaN;
  if (text.includes(":")) return sexagesimal(text, sign, (part) => parseFloat(part));
  return sign * parseFloat(text);
}

const numberIdentify = (value: unknown) => typeof value === "number";

/**
 * A number JSON cannot carry as it is written: PyYAML keeps `.inf`, `.nan` and big integers exactly,
 * but JSON has no infinity (Prefect would send null) and a double changes some integers. It is read
 * as this, and refused (with the way out: quote it) only where a stored field holds it
 * (unsendableNumbers): a file is not refused for a value Waymark never sends.
 */
export class UnsendableNumber {
  constructor(
    readonly source: string,
    readonly reason: string,
  ) {}

  /** As a mapping key, the text written, as Prefect's JSON writes a number key. */
  toString(): string {
    return this.source;
  }
}

/** The integer PyYAML reads `source` as, exactly. */
function exactInteger(source: string): bigint {
  const [sign, text] = signOf(source.replace(/_/g, ""));
  const digits = text.startsWith("0b") || text.startsWith("0x") ? text : text.startsWith("0") && text !== "0" ? `0o${text.slice(1)}` : text;
  const value = digits.includes(":") ? digits.split(":").reduce((total, part) => total * 60n + BigInt(part), 0n) : BigInt(digits);
  return sign < 0 ? -value : value;
}

/** Kept as the server keeps an integer (isExactInteger): exactly, or as the text its double prints. */
function keptInteger(source: string): boolean {
  const decimal = exactInteger(source).toString();
  return decimal.replace("-", "").length <= 15 || isExactInteger(decimal);
}

function exact(resolve: (source: string) => number, integer: boolean): ScalarTag["resolve"] {
  return (source) => {
    const value = resolve(source);
    if (!Number.isFinite(value)) return new UnsendableNumber(source, `${source} is not a finite number, which JSON cannot carry; quote it to keep it as text`);
    if (integer && !keptInteger(source))
      return new UnsendableNumber(source, `${source} cannot be kept exactly (a double would change it); quote it to keep it as text`);
    return integer ? Number(exactInteger(source).toString()) : value;
  };
}

/** Where `value` (a stored field, before templating) holds an UnsendableNumber, each as a problem at its path. */
export function unsendableNumbers(value: unknown, path: string): string[] {
  if (value instanceof UnsendableNumber) return [`${path}: ${value.reason}`];
  if (Array.isArray(value)) return value.flatMap((item, i) => unsendableNumbers(item, `${path}[${i}]`));
  if (isPlainObject(value)) return Object.entries(value).flatMap(([key, item]) => unsendableNumbers(item, childPath(path, key)));
  return [];
}

const PYYAML_TAGS: ScalarTag[] = [
  { tag: "tag:yaml.org,2002:bool", default: true, test: BOOL, identify: (v) => typeof v === "boolean", resolve: (s) => TRUE.test(s) },
  { tag: "tag:yaml.org,2002:int", default: true, test: INT, identify: (v) => Number.isInteger(v), resolve: exact(pyYamlInt, true) },
  { tag: "tag:yaml.org,2002:float", default: true, test: FLOAT, identify: numberIdentify, resolve: exact(pyYamlFloat, false) },
];

/** `customTags` for the `yaml` package's `yaml-1.1` schema that make it resolve scalars as PyYAML does. */
export function pyYamlTags(tags: Tags): Tags {
  return [...PYYAML_TAGS, ...tags.filter((tag) => typeof tag === "string" || (!REPLACED.has(tag.tag) && !NOT_JSON.has(tag.tag)))];
}
