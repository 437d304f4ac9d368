import { FieldReader } from "./fields";
import { flowNameFromEntrypoint, type FlowName } from "./flow-name";
import { settingsOf } from "./settings";
import { withoutUndefined, type CreateVersionInputDraft } from "./version-input";

export interface InputContext {
  /** Path of the deployment in the file, e.g. `deployments[0]`. */
  path: string;
  /** The pull steps that apply (the deployment's own, else the file's), templates resolved. */
  pullSteps: unknown[] | undefined;
  flowNameOverride?: string | null | undefined;
  versionOverride?: string | null | undefined;
  /** What the entrypoint's code says (flowNameInCode); undefined when the code is not read. */
  codeFlowName?: FlowName | undefined;
  /** Where keys that are not stored and fallbacks are reported. */
  warnings: string[];
}

/**
 * The flow name: the `--flow-name` flag, else `flow_name`, else the name Prefect registers — the
 * `@flow(name=…)` of the entrypoint's code when it was read, else the function's name.
 */
export function flowNameOf(record: Record<string, unknown>, override?: string | null, code?: FlowName): string | null {
  if (override) return override;
  if (typeof record.flow_name === "string" && record.flow_name.trim() !== "") return record.flow_name;
  if (code) return code.name;
  return typeof record.entrypoint === "string" ? flowNameFromEntrypoint(record.entrypoint) : null;
}

/**
 * Maps one deployment of the file (templates already resolved) to a CreateVersionInput draft; problems
 * go to `problems` and the draft is then incomplete, so callers must check them first.
 */
export function toVersionInput(record: Record<string, unknown>, context: InputContext, problems: string[]): CreateVersionInputDraft {
  const fields = new FieldReader(record, context.path, problems);
  const name = fields.required("name");
  if (name?.includes("/")) fields.problem("name", `must not contain "/" (got "${name}")`);
  const entrypoint = fields.required("entrypoint") ?? "";
  fields.string("flow_name");
  const flowName = flowNameOf(record, context.flowNameOverride, context.codeFlowName);
  reportCodeFlowName(fields, flowName, context);
  if (flowName === null && entrypoint !== "" && !context.codeFlowName?.problem) {
    fields.problem("entrypoint", `"${entrypoint}" names no function to derive a flow name from; set flow_name`);
  }
  const fileVersion = versionOf(fields);
  return withoutUndefined({
    flowName: flowName ?? "",
    name: name ?? "",
    entrypoint,
    ...versionedFields(fields, context.codeFlowName, context.warnings),
    ...workPoolFields(fields),
    pullSteps: context.pullSteps,
    version: context.versionOverride || fileVersion,
    settings: settingsOf(fields, context.warnings),
  });
}

/** Says why the name is not the code's own, or where it differs from the name Prefect would register. */
function reportCodeFlowName(fields: FieldReader, flowName: string | null, context: InputContext): void {
  const code = context.codeFlowName;
  if (!code) return;
  const fromCode = flowName === code.name && !context.flowNameOverride && fields.record.flow_name === undefined;
  if (fromCode && code.problem) fields.problem("entrypoint", code.problem);
  if (fromCode && code.warning) context.warnings.push(`${fields.pathOf("entrypoint")}: ${code.warning}`);
  if (!fromCode && code.fromDecorator && flowName !== code.name) {
    context.warnings.push(`${fields.path}: flow name "${flowName}" is used, but Prefect registers this flow as "${code.name}" (its @flow name)`);
  }
}

/** Prefect: `if not deploy_config.get("description")`, the flow's description (from the code) is used. */
function descriptionOf(fields: FieldReader, code: FlowName | undefined): string | null | undefined {
  const written = fields.nullableString("description");
  return !written && code?.description ? code.description : written;
}

function versionedFields(fields: FieldReader, code: FlowName | undefined, warnings: string[]) {
  return {
    description: descriptionOf(fields, code),
    tags: tagsOf(fields, warnings),
    labels: fields.mapping("labels"),
    parameters: fields.mapping("parameters"),
    parameterOpenapiSchema: fields.nullableMapping("parameter_openapi_schema"),
    enforceParameterSchema: fields.boolean("enforce_parameter_schema"),
  };
}

/**
 * Prefect keeps `str(tag)` of each tag that is not blank (ListOfNonEmptyStrings in its types): blank
 * tags are dropped, with a warning, and a tag that is not text is refused, since Python's text for it
 * is rarely what was written (3.10 becomes "3.1", yes "True", a list "['a', 'b']").
 */
function tagsOf(fields: FieldReader, warnings: string[]): string[] | undefined {
  const tags = fields.record.tags;
  if (tags === undefined) return undefined;
  if (!Array.isArray(tags)) {
    fields.problem("tags", typeof tags === "string" ? textAsTags(tags) : "must be a list of strings");
    return undefined;
  }
  const kept: string[] = [];
  tags.forEach((tag, i) => {
    const path = `${fields.pathOf("tags")}[${i}]`;
    if (typeof tag !== "string") {
      const kind = Array.isArray(tag) ? "a list" : tag === null ? "null" : typeof tag === "object" ? "a mapping" : `a ${typeof tag}`;
      fields.problemAt(path, `must be text, not ${kind}; quote it (Prefect would store Python's text for it, e.g. 3.10 as "3.1")`);
    } else if (tag.trim() === "") warnings.push(`${path} is blank; dropped, as Prefect drops it`);
    else kept.push(tag);
  });
  return kept;
}

/** Prefect iterates text given as tags, so `tags: dev` would be the tags "d", "e", "v": said, rather than guessed. */
function textAsTags(text: string): string {
  const characters = [...text].filter((c) => c.trim() !== "");
  const shown = characters.slice(0, 5).map((c) => JSON.stringify(c));
  const each = `${shown.join(", ")}${characters.length > 5 ? ", …" : ""}`;
  return `must be a list of strings: write tags: [${text}] (Prefect would store each character of ${JSON.stringify(text)} as a tag: ${each})`;
}

function workPoolFields(fields: FieldReader) {
  const workPool = fields.nullableMapping("work_pool");
  if (!workPool) return {};
  const pool = fields.child("work_pool", workPool);
  return {
    workPoolName: pool.nullableString("name"),
    workQueueName: pool.nullableString("work_queue_name"),
    jobVariables: pool.mapping("job_variables"),
  };
}

/** The parser already turned `version: 1.10` into its source text; a number left here came in through a merge key. */
function versionOf(fields: FieldReader): string | undefined {
  const value = fields.record.version;
  if (typeof value === "number") return String(value);
  const version = fields.nullableString("version");
  if (version?.trim() === "") {
    fields.problem("version", "must not be empty (omit it to let the server name the version)");
  }
  return version?.trim() ? version : undefined;
}
