import type { CliIo } from "../io";
import type { CreateVersionPayload } from "../operations";
import { versionLabel } from "./text";

/** Exit code 4: `deploy --require-live` recorded a version that did not go live (its deployment is pinned). */
export class NotLiveError extends Error {
  readonly exitCode = 4;
}

/**
 * A version that did not become live is said loudly, on stderr (stdout stays the record of what
 * was deployed), with the command that would make it live.
 */
export function reportNotLive(payload: CreateVersionPayload, io: CliIo): void {
  if (payload.becameLive !== false) return;
  const { deployment, version } = payload;
  const ref = `${deployment.flowName}/${deployment.name}`;
  const why = payload.notLiveReason === "PINNED" ? `${ref} is PINNED to ${versionLabel(deployment.liveVersion)}` : "--no-live";
  const command =
    payload.notLiveReason === "PINNED" ? `waymark promote ${ref} --to ${version.number} --unpin` : `waymark promote ${ref} --to ${version.number}`;
  io.stderr(
    `waymark: NOT LIVE: ${versionLabel(version)} of ${ref} was recorded but is not live (${why}); ${versionLabel(deployment.liveVersion)} stays live.\n`,
  );
  io.stderr(`waymark: to make it live: ${command}\n`);
}
