import type { ApiClient, Operation } from "../api-client";
import { ApiError, BadResponseError, ConnectionError } from "../errors";

/**
 * Sends a mutation that creates something each time it runs (createApiKey, createWorkspace). It is not
 * idempotent, so the client repeats it only when the connection was refused, before anything was sent:
 * after a reset, a timeout, a gateway error or UNAVAILABLE the server may have acted on it already, and
 * a repeat would make a second key (or fail with "already exists" and lose the first answer's key).
 * Such a failure says that the thing may exist all the same, and how to check; `hint` is that text.
 */
export async function createOnce<R, V>(client: ApiClient, operation: Operation<R, V>, variables: V, hint: string): Promise<R> {
  try {
    return await client.request(operation, variables, { idempotent: false });
  } catch (error) {
    if (mayHaveApplied(error)) (error as Error).message += `; ${hint}`;
    throw error;
  }
}

/** Whether the request may have reached the server and run although no answer says so. */
function mayHaveApplied(error: unknown): boolean {
  if (error instanceof ConnectionError) return !error.unsent;
  if (error instanceof BadResponseError) return error.status >= 500;
  return error instanceof ApiError && (error.code === "UNAVAILABLE" || error.code === "INTERNAL_SERVER_ERROR");
}
