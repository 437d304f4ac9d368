/**
 * What one deployment of a file becomes: the fields of the GraphQL `CreateVersionInput` (docs/design.md, "GraphQL contract")
 * that a file can hold. An absent field is left out so the server applies its default; the caller
 * adds `sourceInfo`, `idempotencyKey` and `expectedLiveVersionId`.
 */
export interface CreateVersionInputDraft {
  flowName: string;
  name: string;
  entrypoint: string;
  description?: string | null;
  tags?: string[];
  labels?: Record<string, unknown>;
  parameters?: Record<string, unknown>;
  parameterOpenapiSchema?: Record<string, unknown> | null;
  enforceParameterSchema?: boolean;
  workPoolName?: string | null;
  workQueueName?: string | null;
  jobVariables?: Record<string, unknown>;
  pullSteps?: unknown[];
  /** Variables whose `{{ $NAME }}` stays in pullSteps for the worker (`--runtime-env`). */
  runtimeEnv?: string[];
  version?: string;
  /** Non-versioned; only the keys the file sets, since an absent setting is left unchanged. */
  settings?: DeploymentSettingsDraft;
}

export interface DeploymentSettingsDraft {
  paused?: boolean | null;
  schedules?: unknown[] | null;
  concurrencyLimit?: number | null;
  concurrencyOptions?: Record<string, unknown> | null;
}

/** Drops `undefined` entries so that "absent" stays absent in the JSON sent to the server. */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
