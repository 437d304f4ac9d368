import type { Command } from "commander";
import type { PromoteInput, RollbackInput } from "../../client/generated";
import type { ApiClient } from "../api-client";
import { ApiError } from "../errors";
import { formatDryRunMove } from "../format/diff";
import { formatChange } from "../format/history";
import { MOVE_WITH_DIFF } from "../release-operations";
import { idempotencyKeyFor } from "../idempotency";
import type { CliIo } from "../io";
import { PROMOTE, ROLLBACK, type LiveChange } from "../operations";
import { parseDeploymentRef, parseTarget, pickNamedVersion, type NamedCandidate, type Target } from "../refs";
import { clientFrom, toJson, withApiOptions, type ApiOptions } from "./api-options";
import { findDeployment } from "./lookup";

type Move = "rollback" | "promote";

interface MoveOptions extends ApiOptions {
  to?: string;
  reason?: string;
  expectedLive?: string;
  idempotencyKey?: string;
  dryRun?: boolean;
  pin?: boolean;
  unpin?: boolean;
}

const DESCRIPTIONS: Record<Move, string> = {
  rollback: "make an older version live (default: the newest one older than the live one)",
  promote: "make a newer version live (default: the newest version)",
};

export function registerMove(program: Command, io: CliIo, move: Move): void {
  const command = program
    .command(move)
    .description(DESCRIPTIONS[move])
    .argument("<FLOW/NAME>", "the deployment, e.g. my-flow/my-deployment")
    .option("--to <number|name>", "the target: digits are a version number, anything else a version name that must match one version")
    .option("--reason <text>", "why; recorded in the live history")
    .option("--expected-live <versionId>", "fail with LIVE_VERSION_CONFLICT unless this version is live (default: the one live when the command starts)")
    .option(
      "--idempotency-key <key>",
      "a repeat with the same key and arguments answers with the first move and moves nothing (default: derived from the CI run, else new for each invocation)",
    )
    .option("--pin", "pin the version this makes live: later deploys record versions without making them live, until `waymark unpin`")
    .option("--unpin", "move although the deployment is pinned, and lift the pin")
    .option("--dry-run", "run every check and print what would change (target and diff from the live version), moving nothing");
  withApiOptions(command).action((ref: string, options: MoveOptions) => moveLive(move, ref, options, io));
}

async function moveLive(move: Move, text: string, options: MoveOptions, io: CliIo): Promise<void> {
  const ref = parseDeploymentRef(text);
  const target = options.to === undefined ? undefined : parseTarget(options.to);
  const client = clientFrom(options, io);
  const deployment = await findDeployment(client, ref);
  const targetInput = target === undefined ? {} : "number" in target ? { number: target.number } : { name: target.versionName };
  // In CI the key comes from the run, the deployment, the command and its arguments, so a retried
  // job step gets the first move back instead of moving again; elsewhere it is new per invocation,
  // which still covers the client's own retries after a lost answer.
  const operation = JSON.stringify([move, targetInput, options.reason ?? null, options.pin === true, options.unpin === true]);
  const input = {
    deploymentId: deployment.id,
    ...targetInput,
    reason: options.reason,
    // Always a compare-and-set too: a move decided on a live version that has changed since fails.
    expectedLiveVersionId: options.expectedLive ?? deployment.liveVersion?.id,
    idempotencyKey: options.idempotencyKey ?? idempotencyKeyFor(io.env, { ...ref, operation }),
    ...(options.pin ? { pin: true } : {}),
    ...(options.unpin ? { unpin: true } : {}),
  };
  if (options.dryRun) {
    const variables = { input: { ...input, dryRun: true } };
    const change = await (
      move === "rollback"
        ? client.request(MOVE_WITH_DIFF.rollback, variables).then((data) => data.rollback.change)
        : client.request(MOVE_WITH_DIFF.promote, variables).then((data) => data.promote.change)
    ).catch((error: unknown) => namedTargetError(error, target));
    io.stdout(options.json ? toJson(change) : formatDryRunMove(text, move, change));
    return;
  }
  const change = await send(client, move, input).catch((error: unknown) => namedTargetError(error, target));
  io.stdout(options.json ? toJson(change) : formatChange(text, change));
}

/** The server resolves `--to NAME`; its refusals read as the usage errors they are (exit 2), listing the candidates. */
function namedTargetError(error: unknown, target: Target | undefined): never {
  if (!(error instanceof ApiError) || !target || !("versionName" in target)) throw error;
  const candidates = error.extensions.candidates as NamedCandidate[] | undefined;
  if (error.code === "BAD_USER_INPUT" && Array.isArray(candidates)) pickNamedVersion(target.versionName, candidates, candidates.length);
  if (error.code === "VERSION_NOT_FOUND") pickNamedVersion(target.versionName, [], 0);
  throw error;
}

async function send(client: ApiClient, move: Move, input: RollbackInput & PromoteInput): Promise<LiveChange> {
  try {
    if (move === "rollback") return (await client.request(ROLLBACK, { input })).rollback.change;
    return (await client.request(PROMOTE, { input })).promote.change;
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== "LIVE_VERSION_CONFLICT" || error.attempts < 2) throw error;
    const hint = `${error.message} (the request was retried: an earlier attempt may have applied it; check \`waymark history\`)`;
    throw new ApiError(error.code, hint, error.extensions, error.attempts);
  }
}
