import { createClient, type Client } from "graphql-ws/client";
import { CHANGE_FIELDS, GRAPHQL_PATH, type LiveChange } from "./api";

export type ConnectionState = "connecting" | "live" | "reconnecting" | "refused";

export interface LiveChangeEvent extends LiveChange {
  deployment: { id: string; flowName: string; name: string };
}

const SUBSCRIPTION = `subscription Live($deploymentId: ID, $afterSequence: Int) {
  liveVersionChanged(deploymentId: $deploymentId, afterSequence: $afterSequence) { ${CHANGE_FIELDS} deployment { id flowName name } }
}`;

/** Close codes after which retrying with the same key cannot help (4403: key revoked, 4401/4400: refused). */
const FINAL_CLOSE_CODES = new Set([4400, 4401, 4403, 4429]);

/**
 * One graphql-ws connection to this server for the page's lifetime with the key, retrying for as
 * long as the page is open, and reporting its state for the indicator.
 */
export function openLive(key: string, onState: (state: ConnectionState) => void): Client {
  const url = new URL(GRAPHQL_PATH, window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  let connectedOnce = false;
  const client = createClient({
    url: url.href,
    connectionParams: { Authorization: `Bearer ${key}` },
    lazy: false,
    retryAttempts: Number.POSITIVE_INFINITY,
    // At most ~5 s between attempts, so a restarted server is found again quickly.
    retryWait: async (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 300 * 2 ** retries) * (0.5 + Math.random() / 2))),
    shouldRetry: (event) => !(event instanceof CloseEvent && FINAL_CLOSE_CODES.has(event.code)),
    onNonLazyError: () => onState("refused"),
  });
  client.on("connecting", () => onState(connectedOnce ? "reconnecting" : "connecting"));
  client.on("connected", () => {
    connectedOnce = true;
    onState("live");
  });
  client.on("closed", (event) => onState(event instanceof CloseEvent && FINAL_CLOSE_CODES.has(event.code) ? "refused" : "reconnecting"));
  return client;
}

/**
 * Follows live changes (of one deployment, or of the workspace) after `afterSequence`. graphql-ws
 * sends this same payload object again after every reconnect, so keeping `afterSequence` at the
 * last sequence received makes the server replay exactly what was missed: no gap, no repeat.
 */
export function followLiveChanges(
  client: Client,
  filter: { deploymentId?: string },
  afterSequence: number | null,
  onChange: (change: LiveChangeEvent) => void,
): () => void {
  const variables: Record<string, unknown> = { ...filter, afterSequence };
  return client.subscribe<{ liveVersionChanged: LiveChangeEvent }>(
    { query: SUBSCRIPTION, variables },
    {
      next(result) {
        const change = result.data?.liveVersionChanged;
        if (!change) return;
        variables.afterSequence = change.sequence;
        onChange(change);
      },
      error: () => undefined,
      complete: () => undefined,
    },
  );
}
