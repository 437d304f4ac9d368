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

/** Each is checked and sent on its own: a run over more is a file built to stall the pipeline. */
export const MAX_SELECTED_DEPLOYMENTS = 1000;

export interface Selection {
  selected: Candidate[];
  /** Warnings for the unnamed deployments left out of "every deployment". */
  skipped: string[];
}

/**
 * The deployments `--name` selects: a deployment name (every flow's deployment of that name) or
 * `flow/name`. Without a name, every deployment that has one: as `prefect deploy --all` does, one
 * without a name (the blank entry `prefect init` writes) is skipped, with a warning. Any name matching
 * nothing is a UsageError that lists what the file has, and so is a file with no named deployment.
 */
export function selectDeployments(
  deployments: Array<Record<string, unknown>>,
  names: readonly string[],
  flowNameOverride?: string | null,
  codeFlowNames?: CodeFlowNames,
): Selection {
  if (names.length === 0) checkCount(deployments.filter((d) => d.name !== null && d.name !== undefined).length);
  const candidates = candidatesOf(deployments, flowNameOverride, codeFlowNames);
  if (names.length === 0) return everyNamed(candidates);
  const matches = (c: Candidate, wanted: string) => (wanted.includes("/") ? c.fullName === wanted : c.record.name === wanted);
  const unknown = names.filter((wanted) => !candidates.some((c) => matches(c, wanted)));
  if (unknown.length > 0) {
    throw new UsageError(`no deployment named ${unknown.map((n) => `"${n}"`).join(", ")}; available: ` + candidates.map((c) => c.fullName).join(", "));
  }
  const selected = candidates.filter((c) => names.some((wanted) => matches(c, wanted)));
  checkCount(selected.length);
  return { selected, skipped: [] };
}

function checkCount(count: number): void {
  if (count > MAX_SELECTED_DEPLOYMENTS) {
    throw new UsageError(`${count} deployments selected; at most ${MAX_SELECTED_DEPLOYMENTS} are deployed in one run: select them with --name`);
  }
}

/** Prefect skips a deployment whose name is null or absent (`_run_multi_deploy` in its cli/deploy/_core.py). */
function everyNamed(candidates: Candidate[]): Selection {
  const unnamed = (c: Candidate) => c.record.name === null || c.record.name === undefined;
  const selected = candidates.filter((c) => !unnamed(c));
  if (selected.length === 0) throw new UsageError("no deployment in it has a name; give each deployment a name: to deploy it");
  const skipped = candidates.filter(unnamed).map((c) => `deployments[${c.index}] has no name; skipped, as prefect deploy --all skips it`);
  return { selected, skipped };
}
