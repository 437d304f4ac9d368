import type { LiveEvent } from "./live-event";

/** Reads the committed log: changes of a workspace with sequence > `after`, in order. */
export interface LiveLog {
  after(workspaceId: number, after: number, limit: number): Promise<LiveEvent[]>;
  lastSequence(workspaceId: number): Promise<number>;
}

export interface HubListener {
  /** Called with every change of the workspace, in sequence order, each exactly once. */
  deliver(event: LiveEvent): void;
}

interface WorkspaceFeed {
  /** Highest sequence handed to listeners; everything up to it has been delivered. */
  dispatched: number;
  /** False until `dispatched` has been read from the log; events wait in `early` meanwhile. */
  loaded: boolean;
  /** Resolves with the sequence read at load: listeners that join while loading start after it. */
  ready: Promise<number>;
  early: Map<number, LiveEvent>;
  listeners: Set<HubListener>;
  filling: Promise<void> | null;
}

const FILL_PAGE = 500;

/**
 * Fans committed live changes out to this instance's listeners, per workspace, in sequence
 * order. Changes arrive from this instance's own commits and from other instances (Redis), in
 * any order and possibly twice: a sequence at or below `dispatched` is a duplicate, one beyond
 * the next is held while the gap is read from the log. Reading is safe because sequence N+1 is
 * only taken after N has committed (the workspace counter is locked until commit).
 */
export class LiveHub {
  private readonly feeds = new Map<number, WorkspaceFeed>();

  constructor(
    private readonly log: LiveLog,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Number of listeners across all workspaces (open subscriptions). */
  get listenerCount(): number {
    let count = 0;
    for (const feed of this.feeds.values()) count += feed.listeners.size;
    return count;
  }

  /**
   * Adds a listener and resolves with the sequence it starts after: every change with a higher
   * sequence will be delivered to it.
   */
  async listen(workspaceId: number, listener: HubListener): Promise<number> {
    let feed = this.feeds.get(workspaceId);
    if (!feed) {
      const created: WorkspaceFeed = { dispatched: 0, loaded: false, ready: Promise.resolve(0), early: new Map(), listeners: new Set(), filling: null };
      created.ready = this.log.lastSequence(workspaceId).then((sequence) => {
        created.dispatched = sequence;
        created.loaded = true;
        this.drain(workspaceId, created);
        return sequence;
      });
      this.feeds.set(workspaceId, created);
      feed = created;
    }
    // Taken in the same tick as the listener joins: everything after it will reach the listener.
    const cutoff = feed.loaded ? feed.dispatched : null;
    feed.listeners.add(listener);
    try {
      return cutoff ?? (await feed.ready);
    } catch (error) {
      this.unlisten(workspaceId, listener);
      // A failed load (database down) must not stick: the next listener tries again.
      if (this.feeds.get(workspaceId) === feed && !feed.loaded) this.feeds.delete(workspaceId);
      throw error;
    }
  }

  unlisten(workspaceId: number, listener: HubListener): void {
    const feed = this.feeds.get(workspaceId);
    if (!feed) return;
    feed.listeners.delete(listener);
    if (feed.listeners.size === 0) this.feeds.delete(workspaceId);
  }

  /** Takes a committed change from anywhere; workspaces nobody listens to are ignored. */
  receive(event: LiveEvent): void {
    const feed = this.feeds.get(event.workspaceId);
    // Not a log entry and no sequence of its own: handed on as it comes (release/staging.ts).
    if (event.kind === "VERSION_CREATED") {
      for (const listener of feed?.listeners ?? []) listener.deliver(event);
      return;
    }
    if (!feed || (feed.loaded && event.sequence <= feed.dispatched)) return;
    feed.early.set(event.sequence, event);
    if (feed.loaded) this.drain(event.workspaceId, feed);
  }

  /** Dispatches held events that are next in line; a remaining gap is read from the log. */
  private drain(workspaceId: number, feed: WorkspaceFeed): void {
    for (const sequence of feed.early.keys()) if (sequence <= feed.dispatched) feed.early.delete(sequence);
    for (let next = feed.early.get(feed.dispatched + 1); next; next = feed.early.get(feed.dispatched + 1)) {
      feed.early.delete(next.sequence);
      this.dispatch(feed, next);
    }
    if (feed.early.size > 0) void this.fill(workspaceId, feed);
  }

  /** Reads whatever this instance has missed for every workspace it serves (after a Redis outage). */
  catchUp(): Promise<void> {
    return Promise.all([...this.feeds.entries()].map(([id, feed]) => this.fill(id, feed))).then(() => undefined);
  }

  private dispatch(feed: WorkspaceFeed, event: LiveEvent): void {
    feed.dispatched = event.sequence;
    for (const listener of feed.listeners) listener.deliver(event);
  }

  private fill(workspaceId: number, feed: WorkspaceFeed): Promise<void> {
    feed.filling ??= (async () => {
      try {
        await feed.ready;
        for (;;) {
          const missed = await this.log.after(workspaceId, feed.dispatched, FILL_PAGE);
          for (const event of missed) this.receive(event);
          if (missed.length < FILL_PAGE) break;
        }
      } catch (error) {
        this.onError(error);
      } finally {
        feed.filling = null;
      }
    })();
    return feed.filling;
  }
}
