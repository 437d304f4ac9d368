import type { Caller } from "../auth/caller";
import type { Database } from "../db/database";
import { withDeadline } from "../db/read-gate";
import { DeploymentEntity } from "../deployment/deployment.entity";
import { deploymentNotFound } from "../deployment/deployment.lock";
import { ErrorCode, WaymarkError, badInput } from "../errors";
import { decodeId } from "../ids";
import type { LiveEvent } from "./live-event";
import type { LiveHub, LiveLog } from "./live-hub";
import type { LiveFilter, LiveSubscriptionPort } from "./live-port";
import { LiveStream } from "./live-stream";

export type { LiveFilter } from "./live-port";

/** Changes a subscriber may have queued before it is considered stuck and failed. */
const MAX_BEHIND = 1_024;
const REPLAY_PAGE = 500;

/**
 * Opens live-change streams: an optional replay of the log after `afterSequence`, then every new
 * change, in sequence order with no gap or repeat across the boundary, filtered to what the
 * subscriber asked for within its own workspace.
 */
export class LiveSubscriptions implements LiveSubscriptionPort {
  constructor(
    private readonly db: Database,
    private readonly hub: LiveHub,
    private readonly log: LiveLog,
  ) {}

  async open(caller: Caller, filter: LiveFilter): Promise<AsyncIterable<LiveEvent>> {
    const after = filter.afterSequence;
    if (after != null && (!Number.isSafeInteger(after) || after < 0)) throw badInput(`afterSequence must be 0 or more, got ${after}`);
    const deploymentKey = filter.deploymentId == null ? null : await this.deploymentKey(caller, filter.deploymentId);
    const matches = (e: LiveEvent) =>
      (deploymentKey === null || e.deploymentId === deploymentKey) && (filter.flowName == null || e.flowName === filter.flowName);
    let last = after ?? Number.MAX_SAFE_INTEGER;
    // Changes that arrive while the log is replayed wait here, then go out in order after it.
    let held: LiveEvent[] | null = [];
    const stream = new LiveStream<LiveEvent>(
      MAX_BEHIND,
      (event) =>
        new WaymarkError(
          ErrorCode.UNAVAILABLE,
          `This subscriber fell more than ${MAX_BEHIND} changes behind; subscribe again with afterSequence: ${event.sequence - 1}`,
        ),
    );
    const emit = (event: LiveEvent) => {
      // A version recorded without going live takes no sequence: it carries the last one delivered.
      if (event.kind === "VERSION_CREATED") return void (matches(event) && stream.push({ ...event, sequence: last === Number.MAX_SAFE_INTEGER ? 0 : last }));
      if (event.sequence <= last) return;
      last = event.sequence;
      if (matches(event)) stream.push(event);
    };
    const listener = { deliver: (event: LiveEvent) => (held ? held.push(event) : emit(event)) };
    const cutoff = await this.hub.listen(caller.workspaceId, listener);
    try {
      if (after != null && after > cutoff) await this.checkAfter(caller.workspaceId, after);
    } catch (error) {
      this.hub.unlisten(caller.workspaceId, listener);
      throw error;
    }
    void (async () => {
      try {
        if (after == null) last = cutoff;
        else await this.replay(caller.workspaceId, after, cutoff, emit);
        for (const event of held) emit(event);
        held = null;
        await stream.ended;
      } catch (error) {
        stream.fail(error);
      } finally {
        this.hub.unlisten(caller.workspaceId, listener);
      }
    })();
    return stream;
  }

  lastSequence(caller: Caller): Promise<number> {
    return this.log.lastSequence(caller.workspaceId);
  }

  /**
   * A sequence beyond the workspace's last would silently swallow every change up to it. The hub
   * may not have seen another instance's newest change yet, so the log has the last word.
   */
  private async checkAfter(workspaceId: number, after: number): Promise<void> {
    const last = await this.log.lastSequence(workspaceId);
    if (after > last) throw badInput(`afterSequence ${after} is beyond the log: the workspace's last sequence is ${last}`, { lastSequence: last });
  }

  private async replay(workspaceId: number, after: number, cutoff: number, emit: (e: LiveEvent) => void) {
    for (let from = after; from < cutoff;) {
      // Each page its own deadline: a long replay that keeps reading is not a request that hangs.
      const page = await withDeadline(() => this.log.after(workspaceId, from, REPLAY_PAGE));
      for (const event of page) if (event.sequence <= cutoff) emit(event);
      if (page.length < REPLAY_PAGE) return;
      from = page.at(-1)!.sequence;
    }
  }

  private async deploymentKey(caller: Caller, id: string): Promise<number> {
    const key = decodeId("deployment", id);
    const found = key !== null && (await this.db.reader.getRepository(DeploymentEntity).existsBy({ id: key, workspaceId: caller.workspaceId }));
    if (!found) throw deploymentNotFound(id);
    return key;
  }
}
