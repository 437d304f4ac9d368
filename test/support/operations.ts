import type { TestServer } from "./server";

export const VERSION_FIELDS = `id number version isLive entrypoint description tags labels parameters parameterOpenapiSchema
  enforceParameterSchema workPoolName workQueueName jobVariables pullSteps contentHash createdAt createdBy
  sourceInfo { type version commitSha branch repository url message }`;

export const CHANGE_FIELDS = `id sequence kind actor reason at deployment { id } previousVersion { id number } liveVersion { id number }`;

export const DEPLOYMENT_FIELDS = `id flowName name paused schedules concurrencyLimit concurrencyOptions versionCount createdAt updatedAt liveVersion { id number }`;

export const CREATE_VERSION = `mutation Create($input: CreateVersionInput!) {
  createVersion(input: $input) { deployment { ${DEPLOYMENT_FIELDS} } version { ${VERSION_FIELDS} } change { ${CHANGE_FIELDS} } }
}`;

export const ROLLBACK = `mutation Rollback($input: RollbackInput!) { rollback(input: $input) { change { ${CHANGE_FIELDS} } deployment { id liveVersion { id number } } } }`;
export const PROMOTE = `mutation Promote($input: PromoteInput!) { promote(input: $input) { change { ${CHANGE_FIELDS} } deployment { id liveVersion { id number } } } }`;

export const UPDATE_SETTINGS = `mutation Settings($input: UpdateDeploymentSettingsInput!) {
  updateDeploymentSettings(input: $input) { deployment { ${DEPLOYMENT_FIELDS} } }
}`;

export const DEPLOYMENT = `query Deployment($id: ID!) { deployment(id: $id) { ${DEPLOYMENT_FIELDS} } }`;

/** Creates a version through the API and returns the payload, failing loudly on any error. */
export async function createVersion(server: TestServer, input: Record<string, unknown>) {
  const result = await server.gql(CREATE_VERSION, { input: { entrypoint: "flows/etl.py:main", ...input } });
  if (result.errors) throw new Error(`createVersion failed: ${JSON.stringify(result.errors)}`);
  return result.data.createVersion as {
    deployment: { id: string; liveVersion: { id: string; number: number }; [k: string]: unknown };
    version: { id: string; number: number; version: string; contentHash: string; [k: string]: unknown };
    change: { id: string; sequence: number; kind: string; [k: string]: unknown };
  };
}

/** A deployment with `count` versions (1..count, the newest live); returns their ids by number. */
export async function deploymentWithVersions(server: TestServer, count: number, name = "prod", flowName = "etl") {
  const ids: string[] = [];
  let deploymentId = "";
  for (let n = 1; n <= count; n++) {
    const created = await createVersion(server, { flowName, name, entrypoint: `flows/etl.py:v${n}` });
    deploymentId = created.deployment.id;
    ids[n] = created.version.id;
  }
  return { deploymentId, ids };
}
