import { childPath, isPlainObject } from "../template";

type Guard<T> = (value: unknown) => value is T;

const isString: Guard<string> = (v): v is string => typeof v === "string";
const isBoolean: Guard<boolean> = (v): v is boolean => typeof v === "boolean";
const isList: Guard<unknown[]> = (v): v is unknown[] => Array.isArray(v);
const isStringList: Guard<string[]> = (v): v is string[] => Array.isArray(v) && v.every(isString);
const orNull =
  <T>(guard: Guard<T>): Guard<T | null> =>
  (v): v is T | null =>
    v === null || guard(v);

/**
 * Typed reads of one mapping of the deployment file. A key that is absent reads as undefined; a key of
 * the wrong type is recorded as a problem naming its path (and also reads as undefined), so that every
 * problem of the file is reported together.
 */
export class FieldReader {
  constructor(
    readonly record: Record<string, unknown>,
    readonly path: string,
    private readonly problems: string[],
  ) {}

  pathOf(key: string): string {
    return childPath(this.path, key);
  }

  /** A reader of a nested mapping that reports into the same problem list. */
  child(key: string, record: Record<string, unknown>): FieldReader {
    return new FieldReader(record, this.pathOf(key), this.problems);
  }

  problem(key: string, message: string): void {
    this.problemAt(this.pathOf(key), message);
  }

  problemAt(path: string, message: string): void {
    this.problems.push(`${path} ${message}`);
  }

  string = (key: string) => this.pick(key, isString, "a string");
  nullableString = (key: string) => this.pick(key, orNull(isString), "a string or null");
  boolean = (key: string) => this.pick(key, isBoolean, "true or false");
  nullableBoolean = (key: string) => this.pick(key, orNull(isBoolean), "true, false or null");
  stringList = (key: string) => this.pick(key, isStringList, "a list of strings");
  list = (key: string) => this.pick(key, isList, "a list");
  nullableList = (key: string) => this.pick(key, orNull(isList), "a list or null");
  mapping = (key: string) => this.pick(key, isPlainObject, "a mapping");
  nullableMapping = (key: string) => this.pick(key, orNull(isPlainObject), "a mapping or null");

  /** A string that must be present and not blank. */
  required(key: string): string | undefined {
    if (this.record[key] === undefined || this.record[key] === null) {
      this.problem(key, "is required");
      return undefined;
    }
    const value = this.string(key);
    if (value !== undefined && value.trim() === "") this.problem(key, "must not be empty");
    return value?.trim() === "" ? undefined : value;
  }

  private pick<T>(key: string, guard: Guard<T>, expected: string): T | undefined {
    if (!Object.hasOwn(this.record, key)) return undefined;
    const value = this.record[key];
    if (guard(value)) return value;
    this.problem(key, `must be ${expected}`);
    return undefined;
  }
}
