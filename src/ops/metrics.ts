import type { GraphQLFormattedError } from "graphql";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { LiveEvent } from "../live/live-event";
import type { LiveEvents } from "../live/live-events";
import type { PoolUse } from "./db-pool";

/** What the gauges read at scrape time. */
export interface GaugeSources {
  subscriptions: () => number;
  webSockets: () => number;
  pool: () => PoolUse | null;
}

/**
 * Distinct operation names kept as labels; later ones are counted as "other" (label cardinality
 * is memory). Only authenticated requests name theirs, so that no one without a key can use the
 * labels up with junk names.
 */
const MAX_OPERATION_LABELS = 200;
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;
const CODE = /^[A-Z][A-Z_]{0,39}$/;

let processRegistry: Registry | null = null;

/** Process metrics (CPU, memory, event loop, GC) once per process, however many servers it runs. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * One server's Prometheus metrics. Each server has its own registry (tests run several in one
 * process); the process metrics are shared.
 */
export class ServerMetrics {
  private readonly registry = new Registry();
  private readonly operations = new Set<string>();
  private readonly requests = new Counter({
    name: "waymark_graphql_requests_total",
    help: "GraphQL requests over HTTP, by operation name and type (type unknown: no operation could be read)",
    labelNames: ["operation", "type"] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: "waymark_graphql_request_duration_seconds",
    help: "Time from request to the last byte of the response, by operation name and type",
    labelNames: ["operation", "type"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly errors = new Counter({
    name: "waymark_graphql_errors_total",
    help: "GraphQL errors sent to clients (HTTP and WebSocket), by extensions.code",
    labelNames: ["code"] as const,
    registers: [this.registry],
  });
  private readonly liveChanges = new Counter({
    name: "waymark_live_changes_total",
    help: "Moves of a live pointer committed by this instance, by kind",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });

  private readonly historyCache = new Counter({
    name: "waymark_history_cache_total",
    help: "Cacheable history reads: answered before Apollo's pipeline (early), from the cache inside it (hit), or executed (miss)",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });

  constructor(private readonly includeProcessMetrics = true) {
    // Registered now, not at the first scrape: the CPU counters count from registration.
    if (includeProcessMetrics) processMetrics();
    for (const kind of ["CREATE", "ROLLBACK", "PROMOTE"]) this.liveChanges.inc({ kind }, 0);
    for (const outcome of ["early", "hit", "miss"]) this.historyCache.inc({ outcome }, 0);
  }

  /** Counts one cacheable history read by how it was answered. */
  countHistoryRead(outcome: "early" | "hit" | "miss"): void {
    this.historyCache.inc({ outcome });
  }

  /** Registers the gauges that are read when scraped. */
  watch(sources: GaugeSources): void {
    new Gauge({
      name: "waymark_subscriptions_open",
      help: "Live-change subscriptions open on this instance",
      registers: [this.registry],
      collect() {
        this.set(sources.subscriptions());
      },
    });
    new Gauge({
      name: "waymark_websocket_connections",
      help: "graphql-ws connections open on this instance",
      registers: [this.registry],
      collect() {
        this.set(sources.webSockets());
      },
    });
    new Gauge({
      name: "waymark_db_pool_connections",
      help: "MySQL connection pool: open, idle and in-use connections, requests waiting, and the limit (absent on SQLite)",
      labelNames: ["state"] as const,
      registers: [this.registry],
      collect() {
        const use = sources.pool();
        if (!use) return;
        this.set({ state: "open" }, use.open);
        this.set({ state: "idle" }, use.idle);
        this.set({ state: "in_use" }, use.open - use.idle);
        this.set({ state: "waiting" }, use.waiting);
        this.set({ state: "max" }, use.max);
      },
    });
  }

  /**
   * Webhook deliveries: attempts counted by outcome as this instance makes them, and the outbox
   * (pending deliveries, age of the oldest) read from the database when scraped.
   */
  watchWebhooks(queue: () => Promise<{ pending: number; oldestAgeSeconds: number }>): (outcome: string) => void {
    const outcomes = new Counter({
      name: "waymark_webhook_deliveries_total",
      help: "Webhook delivery attempts by outcome (delivered, retry, failed, refused)",
      labelNames: ["outcome"] as const,
      registers: [this.registry],
    });
    const read = () => queue().catch(() => ({ pending: Number.NaN, oldestAgeSeconds: Number.NaN }));
    new Gauge({
      name: "waymark_webhook_queue_length",
      help: "Webhook deliveries pending (in every instance's queue)",
      registers: [this.registry],
      async collect() {
        this.set((await read()).pending);
      },
    });
    new Gauge({
      name: "waymark_webhook_oldest_pending_seconds",
      help: "Age of the oldest pending webhook delivery, 0 when none",
      registers: [this.registry],
      async collect() {
        this.set((await read()).oldestAgeSeconds);
      },
    });
    return (outcome) => outcomes.inc({ outcome });
  }

  /** Counts one GraphQL request over HTTP and its duration. */
  observeRequest(operationName: string | null, type: string | null, seconds: number, authenticated: boolean): void {
    const labels = { operation: authenticated || type === null ? this.operationLabel(operationName, type) : "unauthenticated", type: type ?? "unknown" };
    this.requests.inc(labels);
    this.duration.observe(labels, seconds);
  }

  countErrors(codes: Iterable<unknown>): void {
    for (const code of codes) this.errors.inc({ code: typeof code === "string" && CODE.test(code) ? code : "OTHER" });
  }

  /** Wraps the live-change sink the services publish to after commit, counting by kind. */
  countingLiveEvents(inner: LiveEvents): LiveEvents {
    return {
      publish: (event: LiveEvent) => {
        this.liveChanges.inc({ kind: event.kind });
        inner.publish(event);
      },
    };
  }

  /** Wraps a formatError so that every error it formats is counted by its final code. */
  countingErrors<R>(format: (formatted: GraphQLFormattedError, raw: R) => GraphQLFormattedError) {
    return (formatted: GraphQLFormattedError, raw: R): GraphQLFormattedError => {
      const result = format(formatted, raw);
      this.countErrors([result.extensions?.code]);
      return result;
    };
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text exposition format, this server's metrics first. */
  async render(): Promise<string> {
    const own = await this.registry.metrics();
    return this.includeProcessMetrics ? own + "\n" + (await processMetrics().metrics()) : own;
  }

  private operationLabel(name: string | null, type: string | null): string {
    if (type === null) return "unknown";
    if (name === null) return "anonymous";
    if (!GRAPHQL_NAME.test(name)) return "other";
    if (this.operations.has(name)) return name;
    if (this.operations.size >= MAX_OPERATION_LABELS) return "other";
    this.operations.add(name);
    return name;
  }
}
