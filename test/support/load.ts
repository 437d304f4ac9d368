import { adminHeaders } from "./server";

/**
 * Load for the reliability suites: requests that always end (a timeout is a hang detector, not a
 * timing), outcomes classified the way a client sees them, and client loops bounded both in
 * operations and in time.
 */

/** How one request ended, as its client saw it. */
export type OutcomeKind =
  /** A complete JSON response without errors. */
  | "ok"
  /** A complete JSON response with GraphQL errors (codes in `codes`). */
  | "error"
  /** A complete response that is not GraphQL JSON (a plain HTTP error). */
  | "http"
  /** No response at all: refused, reset or closed before the status line. */
  | "network"
  /** The response started but its body broke off, or a 2xx body that is not JSON: a half response. */
  | "partial"
  /** No answer within the bound. */
  | "timeout";

export interface Outcome<T = any> {
  kind: OutcomeKind;
  status?: number;
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string; [key: string]: unknown } }>;
  /** `extensions.code` of every error, in order. */
  codes: string[];
  /** For `network`, `partial` and `timeout`: the driver's error code or message. */
  failure?: string;
  startedAt: number;
  endedAt: number;
}

export const elapsed = (outcome: Outcome) => outcome.endedAt - outcome.startedAt;

export interface SendOptions {
  timeoutMs?: number;
  /** Sent as they are; the test admin key unless they name an authorization. */
  headers?: Record<string, string>;
}

function failureOf(error: unknown): string {
  let current = error as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; current && depth < 5; depth++) {
    if (typeof current.code === "string") return current.code;
    if (!current.cause) break;
    current = current.cause as typeof current;
  }
  const top = error as { name?: string; message?: string };
  return `${top?.name ?? "Error"}: ${top?.message ?? String(error)}`;
}

const isTimeout = (error: unknown) => (error as { name?: string })?.name === "TimeoutError";

/** POSTs a GraphQL request and classifies how it ended; never throws, never waits past `timeoutMs`. */
export async function send<T = any>(url: string, query: string, variables?: Record<string, unknown>, options: SendOptions = {}): Promise<Outcome<T>> {
  const startedAt = Date.now();
  const headers = { ...adminHeaders, ...options.headers };
  const end = (fields: Omit<Outcome<T>, "startedAt" | "endedAt" | "codes"> & { codes?: string[] }): Outcome<T> => ({
    codes: [],
    ...fields,
    startedAt,
    endedAt: Date.now(),
  });
  const signal = AbortSignal.timeout(options.timeoutMs ?? 15_000);
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ query, variables }),
      signal,
    });
  } catch (error) {
    return end({ kind: isTimeout(error) ? "timeout" : "network", failure: failureOf(error) });
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    return end({ kind: isTimeout(error) ? "timeout" : "partial", status: response.status, failure: failureOf(error) });
  }
  let body: { data?: T | null; errors?: Outcome<T>["errors"] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    const kind = response.ok ? "partial" : "http";
    return end({ kind, status: response.status, failure: text.slice(0, 200) });
  }
  const codes = (body.errors ?? []).map((e) => String(e.extensions?.code));
  return end({ kind: body.errors?.length ? "error" : "ok", status: response.status, data: body.data, errors: body.errors, codes });
}

export interface LoadOptions {
  clients: number;
  /** Each client stops starting operations after this long. */
  durationMs: number;
  /** Each client stops after this many operations, whatever the time. */
  maxOpsPerClient: number;
  /** Ends every client early once it returns true. */
  until?: () => boolean;
  /** Pause between one client's operations, to keep a load steady rather than flat out. */
  pauseMs?: number;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `clients` loops of `step` at once; resolves with the number of operations started. */
export async function runClients(options: LoadOptions, step: (client: number, op: number) => Promise<void>): Promise<number> {
  const deadline = Date.now() + options.durationMs;
  let started = 0;
  const client = async (n: number) => {
    for (let op = 0; op < options.maxOpsPerClient && Date.now() < deadline && !options.until?.(); op++) {
      started++;
      await step(n, op);
      if (options.pauseMs) await sleep(options.pauseMs);
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, n) => client(n)));
  return started;
}

/** Counts by label, printed as one sorted object. */
export class Tally {
  private readonly counts = new Map<string, number>();

  add(label: string, by = 1): void {
    this.counts.set(label, (this.counts.get(label) ?? 0) + by);
  }

  get(label: string): number {
    return this.counts.get(label) ?? 0;
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}

/** A small seeded generator (mulberry32), so a failing run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Polls `probe` until it returns true; throws after `ms` (a hang detector). */
export async function eventually(what: string, probe: () => Promise<boolean> | boolean, ms = 15_000, everyMs = 100): Promise<number> {
  const startedAt = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - startedAt;
    if (Date.now() - startedAt > ms) throw new Error(`${what}: not true after ${ms} ms`);
    await sleep(everyMs);
  }
}
