import type { CreateVersionInput } from "../../client/generated";
import type { ApiClient } from "../api-client";
import { ApiError } from "../errors";
import type { CliIo } from "../io";
import { CREATE_VERSION, type CreateVersionPayload } from "../operations";

/** One deployment's createVersion input, as it will be sent (idempotency key included), and its name for messages. */
export interface DeployInput {
  ref: string;
  input: CreateVersionInput;
}

/** Sends one createVersion; a refusal names the deployment it is about. */
export async function sendCreate(client: ApiClient, { ref, input }: DeployInput, dryRun = false): Promise<CreateVersionPayload> {
  try {
    const data = await client.request(CREATE_VERSION, { input: dryRun ? { ...input, dryRun: true } : input });
    return data.createVersion;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    throw new ApiError(error.code, `${ref}: ${error.message}`, error.extensions, error.attempts);
  }
}

/**
 * Every deployment of the file checked by the server (createVersion with dryRun: every check it
 * makes, refusals included, nothing written) before the first is created, so a file with one bad
 * deployment creates none. Several refusals are each printed; the error thrown carries the first one's code.
 * What the server checks can still change between this check and the creates (another client
 * moving or archiving a deployment meanwhile); such a create is then refused on its own.
 */
export async function checkAll(client: ApiClient, inputs: DeployInput[], io: CliIo): Promise<CreateVersionPayload[]> {
  const checked: CreateVersionPayload[] = [];
  const refused: ApiError[] = [];
  for (const input of inputs) {
    try {
      checked.push(await sendCreate(client, input, true));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      refused.push(error);
    }
  }
  const [first] = refused;
  if (!first) return checked;
  const none = inputs.length > 1 ? `; none of the ${inputs.length} deployments was created` : "";
  if (refused.length === 1) throw new ApiError(first.code, `${first.message}${none}`, first.extensions, first.attempts);
  for (const error of refused) io.stderr(`waymark: refused: ${error.code}: ${error.message}\n`);
  throw new ApiError(first.code, `${refused.length} of ${inputs.length} deployments refused by the server${none}`, first.extensions, first.attempts);
}
