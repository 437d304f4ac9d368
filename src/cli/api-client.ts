import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import { ApiError, BadResponseError, ConnectionError } from "./errors";

export type Fetch = typeof fetch;

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

/** About 3 s of waiting in all (0.2 + 0.4 + 0.8 + 1.6): enough for a restart or a failover, short for a CI job. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, initialDelayMs: 200, maxDelayMs: 3_000 };

export interface ApiClientOptions {
  /** The GraphQL endpoint, already normalised. */
  url: string;
  apiKey?: string | null;
  fetch?: Fetch;
  sleep?: (ms: number) => Promise<void>;
  retry?: Partial<RetryPolicy>;
  /** Per attempt: a hung connection counts as a network error rather than stalling the job. */
  timeoutMs?: number;
}

/** Gateways answer these while the server restarts or is overloaded; the request did not run. */
const RETRY_STATUSES = new Set([502, 503, 504]);

type Attempt<T> = { ok: true; data: T } | { ok: false; retry: boolean; error: Error };

export interface RequestOptions {
  /**
   * False for a mutation whose repeat would act a second time (createApiKey, createWorkspace): it is
   * retried only when the connection could not be made, never after the request may have been sent.
   */
  idempotent?: boolean;
}

/**
 * Errno codes that mean no connection was made, so nothing was sent: refused (nobody listening yet,
 * e.g. during a restart) or the host name did not resolve. Resets, timeouts, gateway statuses and
 * UNAVAILABLE may all come after the server received the request, and perhaps acted on it.
 */
const UNSENT_ERRNOS = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);

interface GraphQLBody {
  data?: unknown;
  errors?: Array<{ message?: unknown; extensions?: Record<string, unknown> }>;
}

/**
 * An operation as codegen made it from src/client/cli-operations.graphql (typed result and
 * variables); the CLI sends no GraphQL it did not check against schema.graphql.
 */
export type Operation<R, V> = TypedDocumentNode<R, V>;

const printed = new WeakMap<object, string>();

/** The operation's text, printed once per document. */
function textOf(document: Operation<unknown, unknown>): string {
  let text = printed.get(document);
  if (text === undefined) printed.set(document, (text = print(document)));
  return text;
}

/** Waits `ms` with a plain timer. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The delay before attempt `attempt + 1`: exponential, bounded. */
export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
}

/**
 * A small GraphQL-over-HTTP client. Network errors, gateway statuses and `UNAVAILABLE` are retried
 * with backoff. That is safe because every request the CLI repeats is idempotent: queries, a
 * createVersion, rollback and promote carrying an idempotency key (a repeat after a lost answer
 * gets the first answer back instead of acting twice).
 * The rest pass `idempotent: false` and are retried only when the connection was refused.
 */
export class ApiClient {
  readonly url: string;
  private readonly policy: RetryPolicy;

  constructor(private readonly options: ApiClientOptions) {
    this.url = options.url;
    this.policy = { ...DEFAULT_RETRY, ...options.retry };
  }

  /** Runs one operation; resolves to its `data`, or throws ApiError, ConnectionError or BadResponseError. */
  async request<R, V>(document: Operation<R, V>, variables: V, options: RequestOptions = {}): Promise<R> {
    const idempotent = options.idempotent ?? true;
    const query = textOf(document as Operation<unknown, unknown>);
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt<R>(query, (variables ?? {}) as Record<string, unknown>);
      if (outcome.ok) return outcome.data;
      // Not idempotent: only a request that certainly never reached the server may be sent again.
      const retry = idempotent ? outcome.retry : outcome.error instanceof ConnectionError && outcome.error.unsent;
      if (!retry || attempt >= this.policy.attempts) throw withAttempts(outcome.error, attempt);
      await (this.options.sleep ?? sleep)(backoffDelay(attempt, this.policy));
    }
  }

  private async attempt<T>(query: string, variables: Record<string, unknown>): Promise<Attempt<T>> {
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(this.url, {
        method: "POST",
        headers: this.headers(),
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      const unsent = UNSENT_ERRNOS.has(networkErrno(error) ?? "");
      return { ok: false, retry: true, error: new ConnectionError(this.url, networkReason(error), { unsent }) };
    }
    const body = await readJson(response);
    if (!body) {
      const retry = RETRY_STATUSES.has(response.status);
      const error = retry
        ? new ConnectionError(this.url, `HTTP ${response.status} ${response.statusText}`.trim())
        : new BadResponseError(this.url, response.status);
      return { ok: false, retry, error };
    }
    return outcomeOf<T>(body, response, this.url);
  }

  private headers(): Record<string, string> {
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    return headers;
  }
}

function outcomeOf<T>(body: GraphQLBody, response: Response, url: string): Attempt<T> {
  const first = body.errors?.[0];
  if (first) {
    const code = typeof first.extensions?.code === "string" ? first.extensions.code : "INTERNAL_SERVER_ERROR";
    const more = (body.errors?.length ?? 1) > 1 ? ` (and ${(body.errors?.length ?? 1) - 1} more)` : "";
    const message = `${typeof first.message === "string" ? first.message : "no message"}${more}`;
    const retry = code === "UNAVAILABLE" || RETRY_STATUSES.has(response.status);
    return { ok: false, retry, error: new ApiError(code, message, first.extensions ?? {}) };
  }
  if (body.data === null || typeof body.data !== "object") {
    return { ok: false, retry: false, error: new BadResponseError(url, response.status) };
  }
  return { ok: true, data: body.data as T };
}

async function readJson(response: Response): Promise<GraphQLBody | null> {
  try {
    const body: unknown = JSON.parse(await response.text());
    const isGraphQL = body !== null && typeof body === "object" && ("data" in body || "errors" in body);
    return isGraphQL ? (body as GraphQLBody) : null;
  } catch {
    return null;
  }
}

function withAttempts(error: Error, attempts: number): Error {
  return error instanceof ApiError ? new ApiError(error.code, error.message, error.extensions, attempts) : error;
}

const REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  UND_ERR_SOCKET: "connection closed",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
  CERT_HAS_EXPIRED: "TLS certificate has expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "TLS certificate is self-signed",
};

/**
 * fetch rejects with `TypeError: fetch failed`; the useful part is the errno in its cause chain, else
 * the innermost message (undici's "bad port", for one).
 */
export function networkReason(error: unknown): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return "timed out";
  let message = error instanceof Error ? error.message : String(error);
  for (const current of causeChain(error)) {
    const { code } = current as { code?: unknown };
    if (typeof code === "string") return REASONS[code] ?? code;
    if (current instanceof Error && current.message) message = current.message;
  }
  return message;
}

/** The first errno code (ECONNREFUSED…) in a network error's cause chain; null when there is none. */
export function networkErrno(error: unknown): string | null {
  for (const current of causeChain(error)) {
    const { code } = current as { code?: unknown };
    if (typeof code === "string") return code;
  }
  return null;
}

/** The error, its cause, its cause's cause…; an AggregateError (happy eyeballs) continues with its first error. */
function* causeChain(error: unknown): Generator<object> {
  const seen = new Set<unknown>();
  for (let current = error; current && typeof current === "object" && !seen.has(current);) {
    seen.add(current);
    yield current;
    const { cause, errors } = current as { cause?: unknown; errors?: unknown };
    current = cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
}
