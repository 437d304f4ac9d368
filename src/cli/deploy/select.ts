import { UsageError } from "../errors";
import type { FlowName } from "./flow-name";
import { flowNameOf } from "./to-input";

/** The flow name an entrypoint's code gives, when the code is read (see flowNameInCode). */
export type CodeFlowNames = (entrypoint: unknown) => FlowName | undefined;

export interface Candidate {
  index: number;
  record: Record<string, unknown>;
  /** `flow/name` as the file names it before templates are resolved. */
  fullName: string;
}

function candidatesOf(deployments: Array<Record<string, unknown>>, flowNameOverride?: string | null, codeFlowNames?: CodeFlowNames): Candidate[] {
  return deployments.map((record, index) => {
    const name = typeof record.name === "string" ? record.name : `(unnamed #${index})`;
    const flowName = flowNameOf(record, flowNameOverride, codeFlowNames?.(record.entrypoint));
    return { index, record, fullName: `${flowName ?? "?"}/${name}` };
  });
}

/**
 * The deployments `--name` selects: a deployment name (every flow's deployment of that name) or
 * `flow/name`; all of them when no name is given. Any name matching nothing is a UsageError that
 * lists what the file has.
 */
export function selectDeployments(
  deployments: Array<Record<string, unknown>>,
  names: readonly string[],
  flowNameOverride?: string | null,
  codeFlowNames?: CodeFlowNames,
): Candidate[] {
  const candidates = candidatesOf(deployments, flowNameOverride, codeFlowNames);
  if (names.length === 0) return candidates;
  const matches = (c: Candidate, wanted: string) => (wanted.includes("/") ? c.fullName === wanted : c.record.name === wanted);
  const unknown = names.filter((wanted) => !candidates.some((c) => matches(c, wanted)));
  if (unknown.length > 0) {
    throw new UsageError(`no deployment named ${unknown.map((n) => `"${n}"`).join(", ")}; available: ` + candidates.map((c) => c.fullName).join(", "));
  }
  return candidates.filter((c) => names.some((wanted) => matches(c, wanted)));
}
