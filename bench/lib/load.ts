import autocannon from "autocannon";

export interface LoadResult {
  label: string;
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

export function summarise(label: string, latenciesMs: number[], errors: number, seconds: number): LoadResult {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    label,
    requests: sorted.length,
    errors,
    seconds,
    rps: sorted.length / seconds,
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    max: sorted.at(-1) ?? NaN,
  };
}

/**
 * POSTs a GraphQL body with autocannon for `seconds`, `connections` keep-alive connections,
 * one request in flight on each. Several bodies are sent in turn across all connections (each
 * request takes the next), so concurrent requests differ. A response that is not 200 or carries
 * "errors" counts as an error.
 */
export async function hammer(
  label: string,
  url: string,
  body: string | string[],
  opts: { seconds: number; connections: number; headers?: Record<string, string> },
): Promise<LoadResult> {
  let bad = 0;
  const bodies = typeof body === "string" ? [body] : body;
  let next = 0;
  const result = await autocannon({
    url,
    method: "POST",
    body: bodies[0],
    connections: opts.connections,
    pipelining: 1,
    duration: opts.seconds,
    requests: bodies.length > 1 ? [{ setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }) }] : undefined,
    headers: { "content-type": "application/json", ...opts.headers },
    setupClient: (client) =>
      client.on("body", (buf: Buffer) => {
        if (buf.includes('"errors"')) bad++;
      }),
  });
  const errors = result.non2xx + result.errors + bad;
  return {
    label,
    requests: result.requests.total,
    errors,
    seconds: result.duration,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
  };
}

/**
 * A closed loop of `concurrency` workers, each running `op(worker, i)` back to back for `seconds`
 * (and at most `maxOps` in all); latencies in ms.
 */
export async function closedLoop(
  label: string,
  concurrency: number,
  seconds: number,
  maxOps: number,
  op: (worker: number, i: number) => Promise<void>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let started = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  let firstError: unknown = null;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; performance.now() < deadline && started < maxOps; i++) {
        started++;
        const t = performance.now();
        try {
          await op(worker, i);
          latencies.push(performance.now() - t);
        } catch (error) {
          errors++;
          firstError ??= error;
        }
      }
    }),
  );
  if (firstError) console.error(`${label}: first error:`, firstError);
  return summarise(label, latencies, errors, (performance.now() - t0) / 1000);
}

export function row(r: LoadResult): string {
  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : "–");
  return `| ${r.label} | ${r.requests} | ${r.errors} | ${f(r.rps)} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.max)} |`;
}

export const TABLE_HEAD = "| run | requests | errors | req/s | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|---|---|";

/** A request body, fixed or chosen per round (to spread one side over many deployments). */
export type PairedBody = string | ((round: number) => string);

/**
 * Latency of two requests compared on a shared, loaded machine: one client sends `a`, then `b`,
 * then `a`… one at a time for `rounds` pairs, so each pair meets the same load and the ratio of
 * their medians is about the requests, not about what else the cores were doing meanwhile.
 * `url` may be a pair, `a`'s server then `b`'s (two stores compared side by side).
 */
export async function pairedLatency(
  url: string | readonly [string, string],
  a: PairedBody,
  b: PairedBody,
  opts: { rounds: number; headers?: Record<string, string> },
): Promise<{ a: LoadResult; b: LoadResult; medianRatio: number; pairRatioMedian: number }> {
  const [urlA, urlB] = typeof url === "string" ? [url, url] : url;
  const bodyOf = (body: PairedBody, round: number) => (typeof body === "string" ? body : body(round));
  const send = async (target: string, body: string) => {
    const t = performance.now();
    const response = await fetch(target, { method: "POST", body, headers: { "content-type": "application/json", ...opts.headers } });
    const text = await response.text();
    if (response.status !== 200 || text.includes('"errors"')) throw new Error(`HTTP ${response.status}: ${text.slice(0, 200)}`);
    return performance.now() - t;
  };
  const [left, right, ratios]: [number[], number[], number[]] = [[], [], []];
  const t0 = performance.now();
  for (let i = 0; i < opts.rounds; i++) {
    const [sendA, sendB] = [() => send(urlA, bodyOf(a, i)), () => send(urlB, bodyOf(b, i))];
    // Alternating which goes first, so neither always follows the other.
    let [ta, tb] = [0, 0];
    if (i % 2 === 0) [ta, tb] = [await sendA(), await sendB()];
    else [tb, ta] = [await sendB(), await sendA()];
    left.push(ta);
    right.push(tb);
    ratios.push(tb / ta);
  }
  const seconds = (performance.now() - t0) / 1000;
  const sa = summarise("a", left, 0, seconds);
  const sb = summarise("b", right, 0, seconds);
  const sortedRatios = [...ratios].sort((p, q) => p - q);
  return { a: sa, b: sb, medianRatio: sb.p50 / sa.p50, pairRatioMedian: sortedRatios[Math.floor(sortedRatios.length / 2)]! };
}
