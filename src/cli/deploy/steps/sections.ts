import type { DeployFile } from "../parse";
import type { Candidate } from "../select";
import { childPath, isPlainObject } from "../../template";
import { unsendableNumbers } from "../yaml11";

export type SectionKind = "build" | "push";

export interface Step {
  /** e.g. `build[0]` or `deployments[1].push[0]`. */
  path: string;
  /** The step function's full name, e.g. `prefect.deployments.steps.run_shell_script`. */
  name: string;
  id: string | undefined;
  /** Its arguments without Prefect's reserved `id` and `requires`. */
  inputs: Record<string, unknown>;
}

export interface Section {
  kind: SectionKind;
  steps: Step[];
}

/**
 * The build and push steps of one deployment, as Prefect picks them: the deployment's own `build:` /
 * `push:` when it has the key (`build: null` means none; a `push` without steps was already left out,
 * see parseDeployFile), else the file's. Malformed steps are problems at their path.
 */
export function sectionsOf(file: DeployFile, candidate: Candidate, problems: string[]): Section[] {
  return (["build", "push"] as const).map((kind) => {
    const own = Object.hasOwn(candidate.record, kind);
    const value = own ? candidate.record[kind] : file[kind];
    const path = own ? `deployments[${candidate.index}].${kind}` : kind;
    return { kind, steps: stepsAt(value, path, problems) };
  });
}

function stepsAt(value: unknown, path: string, problems: string[]): Step[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.push(`${path} must be a list of steps`);
    return [];
  }
  return value.flatMap((step, i) => {
    const at = `${path}[${i}]`;
    const keys = isPlainObject(step) ? Object.keys(step) : [];
    const name = keys[0];
    const args: unknown = name === undefined ? undefined : (step as Record<string, unknown>)[name];
    if (keys.length !== 1 || name === undefined || !(args === null || isPlainObject(args))) {
      problems.push(`${at} must be a mapping with exactly one step and its arguments`);
      return [];
    }
    const { id, requires: _requires, ...inputs } = args ?? {};
    if (id !== undefined && typeof id !== "string") problems.push(`${childPath(at, name)}.id must be a string`);
    problems.push(...unsendableNumbers(inputs, childPath(at, name)));
    return [{ path: at, name, id: typeof id === "string" && id !== "" ? id : undefined, inputs }];
  });
}

export const shortName = (name: string) => name.slice(name.lastIndexOf(".") + 1);
