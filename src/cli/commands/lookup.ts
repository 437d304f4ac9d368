import type { ApiClient } from "../api-client";
import { ApiError } from "../errors";
import { DEPLOYMENT_BY_NAME, VERSIONS_NAMED, type DeploymentSummary } from "../operations";
import { pickNamedVersion, type DeploymentRef } from "../refs";

/**
 * Lookups by name. `deploymentByName` answers null for an unknown name; the CLI reports that with the
 * code a mutation would give, DEPLOYMENT_NOT_FOUND, so scripts see one code for one situation.
 */
export const notFound = (ref: DeploymentRef) => new ApiError("DEPLOYMENT_NOT_FOUND", `no deployment ${ref.flowName}/${ref.name}`);

export async function findDeployment(client: ApiClient, ref: DeploymentRef): Promise<DeploymentSummary> {
  const data = await client.request(DEPLOYMENT_BY_NAME, { ...ref });
  if (!data.deploymentByName) throw notFound(ref);
  return data.deploymentByName;
}

/** The id of the one version of `ref` named `versionName`; none or several is a UsageError listing candidates. */
export async function versionIdNamed(client: ApiClient, ref: DeploymentRef, versionName: string): Promise<string> {
  const data = await client.request(VERSIONS_NAMED, { ...ref, version: versionName });
  if (!data.deploymentByName) throw notFound(ref);
  const { edges, totalCount } = data.deploymentByName.versions;
  return pickNamedVersion(
    versionName,
    edges.map((e) => e.node),
    totalCount,
  ).id;
}
