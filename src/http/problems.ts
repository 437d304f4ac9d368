import type { ArgumentValidationError } from "type-graphql";

/**
 * `extensions.problems` of every BAD_USER_INPUT: each problem found, with where it was found, so
 * a form can mark every bad field at once. `path` starts at the argument or variable (`input`,
 * `first`), then names fields and list indexes; it is empty when the problem is the request as a
 * whole (e.g. "Pass first or last, not both").
 */
export interface Problem {
  path: Array<string | number>;
  message: string;
}

/** "input.pullSteps[0].url" → ["input", "pullSteps", 0, "url"]. */
export function pathOf(dotted: string): Array<string | number> {
  return [...dotted.matchAll(/([A-Za-z_$][\w$]*)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
}

/** The field a service's problem sentence starts with ("settings.schedules must…", "input.tags[0] contains…"). */
const LEADING_PATH = /^((?:input\.)?[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*|\[\d+\])*)(?: \(key\))? (?:must|contains|is|are|has|needs|takes|should|cannot|may)\b/;

/** A service's problem sentence as a Problem; the path is rooted at the mutation's `input`. */
export function inputProblem(message: string): Problem {
  const match = LEADING_PATH.exec(message);
  if (!match) return { path: ["input"], message };
  const path = pathOf(match[1]!);
  return { path: path[0] === "input" ? path : ["input", ...path], message };
}

/** graphql-js's variable coercion messages name the variable and, for a nested value, the place in it. */
export function variableProblem(message: string): Problem {
  const at = /^Variable "\$[\w]+" got invalid value .*? at "([^"]+)"/s.exec(message);
  const variable = /^Variable "\$([\w]+)"/.exec(message);
  const path = at ? pathOf(at[1]!) : variable ? [variable[1]!] : [];
  // A field missing or unknown in an input object is named in the message's last clause.
  const field = /; Field "(\w+)" (?:of required type .* was not provided|is not defined by type)/s.exec(message);
  return { path: field ? [...path, field[1]!] : path, message };
}

/** Every failed constraint of a class-validator run, each at its property path. */
export function validationProblems(error: ArgumentValidationError): Problem[] {
  type Node = ArgumentValidationError["extensions"]["validationErrors"][number];
  const walk = (e: Node, parents: Array<string | number>): Problem[] => {
    const root = parents.length === 0 && e.target?.constructor.name.endsWith("Input") ? ["input"] : [];
    const path = [...root, ...parents, /^\d+$/.test(e.property) ? Number(e.property) : e.property];
    const own = Object.values(e.constraints ?? {}).map((message) => ({ path, message }));
    return [...own, ...(e.children ?? []).flatMap((child) => walk(child, path))];
  };
  return error.extensions.validationErrors.flatMap((e) => walk(e, []));
}
