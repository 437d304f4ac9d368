import { isPlainObject } from "../template";

/**
 * A `build`, `push` or `pull` section as Prefect 3's models read it (_wrap_single_action_mappings in
 * PrefectHQ/prefect, src/prefect/cli/deploy/_models.py): one step written as a mapping is a one-step
 * list, and an empty mapping is no steps, as `null` is.
 */
export function section(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  return Object.keys(value).length > 0 ? [value] : null;
}

/**
 * A deployment's own sections, read as `section` reads them. A deployment's `push` with no step
 * means no push, as `build: null` means no build (README, "Where Waymark differs from Prefect on
 * purpose": Prefect runs the file's push then).
 */
export function ownSections(deployment: Record<string, unknown>): Record<string, unknown> {
  const result = { ...deployment };
  for (const key of ["build", "push", "pull"]) if (Object.hasOwn(result, key)) result[key] = section(result[key]);
  return result;
}

/**
 * Steps whose arguments sit at the step's own level (`- git_clone:` then `repository:` under the
 * dash): the step is then a mapping of several keys, the first empty. Prefect stores it and fails
 * every run on it, so it is named as that, before the placeholders its missing `id` leaves unknown.
 */
export function unindentedSteps(value: unknown, path: string): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((step: unknown, i) => {
    if (!isPlainObject(step)) return [];
    const [first, ...rest] = Object.keys(step);
    if (first === undefined || rest.length === 0 || (step[first] !== null && step[first] !== undefined)) return [];
    const keys = Object.keys(step).join(", ");
    return [
      `${path}[${i}] has the keys ${keys}: indent the step's arguments under ${first} (Prefect would fail every run: Step has unexpected additional keys)`,
    ];
  });
}
