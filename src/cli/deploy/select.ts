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
  flowName?: string;
}

function candidatesOf(deployments: Array<Record<string, unknown>>, flowNameOverride?: string | null, codeFlowNames?: CodeFlowNames): Candidate[] {
  return deployments.map((record, index) => {
    const name = typeof record.name === "string" ? record.name : `(unnamed #${index})`;
    const flowName = flowNameOf(record, flowNameOverride, codeFlowNames?.(record.entrypoint));
    return { index, record, fullName: `${flowName ?? "?"}/${name}`, ...(flowName ? { flowName } : {}) };
  });
}

/** Each is checked and sent on its own: a run over more is a file built to stall the pipeline. */
export const MAX_SELECTED_DEPLOYMENTS = 1000;

export interface Selection {
  selected: Candidate[];
  /** What the selection did that the file does not say: unnamed deployments skipped, one renamed. */
  warnings: string[];
}

/**
 * The deployments `--name` selects: a deployment name (every flow's deployment of that name) or
 * `flow/name`, either with `*` matching any text (as `prefect deploy --name 'etl/*'`). Without a name, every deployment that has one: as `prefect deploy --all` does, one
 * without a name (the blank entry `prefect init` writes) is skipped, with a warning. Any name matching
 * nothing is a UsageError that lists what the file has (except one name for a file of one deployment,
 * see renamedSingle), and so is a file with no named deployment. The entrypoint argument, when given,
 * is applied to the one deployment selected (see withEntrypoint).
 */
export function selectDeployments(
  deployments: Array<Record<string, unknown>>,
  names: readonly string[],
  { flowNameOverride, entrypoint }: { flowNameOverride?: string | null | undefined; entrypoint?: string | undefined } = {},
  codeFlowNames?: CodeFlowNames,
): Selection {
  if (entrypoint === undefined) return selectByName(deployments, names, flowNameOverride, codeFlowNames);
  // Prefect applies the entrypoint argument to the one deployment it picks: the file's only one (or its
  // default one, for a file without any), else the one --name selects.
  if (deployments.length <= 1) return selectByName([{ ...deployments[0], entrypoint }], names, flowNameOverride, codeFlowNames);
  return withEntrypoint(selectByName(deployments, names, flowNameOverride, codeFlowNames), entrypoint, flowNameOverride, codeFlowNames);
}

function selectByName(
  deployments: Array<Record<string, unknown>>,
  names: readonly string[],
  flowNameOverride?: string | null,
  codeFlowNames?: CodeFlowNames,
): Selection {
  if (names.length === 0) checkCount(deployments.filter((d) => d.name !== null && d.name !== undefined).length);
  const candidates = candidatesOf(deployments, flowNameOverride, codeFlowNames);
  if (names.length === 0) return everyNamed(candidates);
  const unknown = names.filter((wanted) => !candidates.some((c) => matches(c, wanted)));
  const renamed = unknown.length > 0 ? renamedSingle(candidates, names) : undefined;
  if (renamed) return renamed;
  if (unknown.length > 0) {
    throw new UsageError(`no deployment named ${unknown.map((n) => `"${n}"`).join(", ")}; available: ` + candidates.map((c) => c.fullName).join(", "));
  }
  const selected = candidates.filter((c) => names.some((wanted) => matches(c, wanted)));
  checkCount(selected.length);
  return { selected, warnings: [] };
}

/**
 * Prefect, given one `--name` and a file of one deployment, deploys that deployment under the name
 * (`_apply_cli_options_to_deploy_config` in its cli/deploy/_config.py): a file written once and
 * deployed as staging and as prod. A FLOW/NAME must name the deployment's flow.
 */
function renamedSingle(candidates: Candidate[], names: readonly string[]): Selection | undefined {
  const [only, wanted] = [candidates[0], names[0]];
  if (candidates.length !== 1 || names.length !== 1 || !only || wanted === undefined || wanted.includes("*")) return undefined;
  const slash = wanted.indexOf("/");
  const name = wanted.slice(slash + 1);
  if (slash >= 0 && !matches({ ...only, record: { ...only.record, name } }, wanted)) return undefined;
  const was = typeof only.record.name === "string" ? `is named "${only.record.name}"` : "has no name";
  const warning = `deployments[${only.index}] ${was} in the file; deployed as "${name}", as prefect deploy --name does with one deployment`;
  const flow = only.fullName.slice(0, only.fullName.lastIndexOf("/"));
  return { selected: [{ ...only, record: { ...only.record, name }, fullName: `${flow}/${name}` }], warnings: [warning] };
}

function checkCount(count: number): void {
  if (count > MAX_SELECTED_DEPLOYMENTS) {
    throw new UsageError(`${count} deployments selected; at most ${MAX_SELECTED_DEPLOYMENTS} are deployed in one run: select them with --name`);
  }
}

function matches(c: Candidate, wanted: string): boolean {
  const name = c.record.name;
  if (!wanted.includes("/")) return wanted.includes("*") ? typeof name === "string" && globMatches(wanted, name) : name === wanted;
  if (typeof name !== "string") return c.fullName === wanted;
  const slash = wanted.indexOf("/");
  const [flow, wantedName] = [wanted.slice(0, slash), wanted.slice(slash + 1)];
  // Prefect compares the flow part with the entrypoint's function name (`_` and `-` alike).
  const entrypoint = typeof c.record.entrypoint === "string" ? c.record.entrypoint : "";
  const functionName = (entrypoint.split(":").at(-1) ?? "").replace(/_/g, "-");
  const flowMatches = (f: string) => globMatches(flow, f) || globMatches(flow.replace(/_/g, "-"), f);
  return globMatches(wantedName, name) && [c.flowName, functionName].some((f) => f !== undefined && flowMatches(f));
}

/** `*` matches any text, the rest itself (`_parse_name_from_pattern` in Prefect's cli/deploy/_config.py). */
function globMatches(pattern: string, text: string): boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`, "s").test(text);
}

/** Prefect skips a deployment whose name is null or absent (`_run_multi_deploy` in its cli/deploy/_core.py). */
function everyNamed(candidates: Candidate[]): Selection {
  const unnamed = (c: Candidate) => c.record.name === null || c.record.name === undefined;
  const selected = candidates.filter((c) => !unnamed(c));
  if (selected.length === 0) throw new UsageError("no deployment in it has a name; give each deployment a name: to deploy it");
  const skipped = candidates.filter(unnamed).map((c) => `deployments[${c.index}] has no name; skipped, as prefect deploy --all skips it`);
  return { selected, warnings: skipped };
}

/**
 * The selection with the entrypoint argument applied, as Prefect applies command-line options: to the
 * one deployment selected; with several, they are ignored, with a warning.
 */
function withEntrypoint(selection: Selection, entrypoint: string, flowNameOverride?: string | null, codeFlowNames?: CodeFlowNames): Selection {
  const [only, ...more] = selection.selected;
  if (!only || more.length > 0) {
    const count = selection.selected.length;
    const warning = `the entrypoint argument is ignored: ${count} deployments are selected, and it is for one (prefect deploy ignores it too); select one with --name`;
    return { ...selection, warnings: [...selection.warnings, warning] };
  }
  const [candidate] = candidatesOf([{ ...only.record, entrypoint }], flowNameOverride, codeFlowNames);
  return { ...selection, selected: [{ ...candidate!, index: only.index }] };
}

/** A deployment as read, with its flow and name. */
interface Loaded {
  draft: { flowName: string; name: string };
}

/**
 * Prefect deploys a deployment repeated in the file (same flow and name) once per entry, in order,
 * each replacing the one before: only the last stays. So only the last is deployed, with a warning
 * naming the ones it replaces. Their problems were reported all the same, as Prefect would have failed on them.
 */
export function lastOfEach<T extends Loaded>(loaded: T[], selected: Candidate[]) {
  const refOf = (d: T) => `${d.draft.flowName}/${d.draft.name}`;
  const last = new Map(loaded.map((d, i) => [refOf(d), i]));
  const indexOf = (i: number) => selected[i]?.index ?? i;
  const replaced = loaded.flatMap((d, i) => {
    const kept = last.get(refOf(d))!;
    if (kept === i) return [];
    return [
      `deployments[${indexOf(i)}] (${refOf(d)}) is replaced by deployments[${indexOf(kept)}] of the same flow and name; ` +
        "only the last is deployed, as Prefect's later deploy replaces the earlier",
    ];
  });
  return { deployments: loaded.filter((d, i) => last.get(refOf(d)) === i), replaced };
}
