import type { Fetch } from "../../../src/cli/api-client";

/** What one fake request answers: a response (status + JSON or text body) or a thrown network error. */
export type Reply = { status?: number; json?: unknown; text?: string } | { fail: string };

export interface RecordedRequest {
  url: string;
  headers: Record<string, string>;
  body: { query: string; variables: Record<string, unknown> };
}

/** A network failure as Node's fetch reports it: `TypeError: fetch failed` with the errno in `cause`. */
export function networkError(code: string): TypeError {
  return new TypeError("fetch failed", { cause: Object.assign(new Error(`connect ${code}`), { code }) });
}

/** A fetch that answers from a script, one reply per call (the last one repeats), recording every request. */
export function fakeFetch(...replies: Reply[]): Fetch & { requests: RecordedRequest[] } {
  const requests: RecordedRequest[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    requests.push({
      url: String(input),
      headers: init?.headers as Record<string, string>,
      body: JSON.parse(String(init?.body)) as RecordedRequest["body"],
    });
    const reply = replies[Math.min(requests.length, replies.length) - 1] ?? { fail: "ECONNREFUSED" };
    if ("fail" in reply) throw networkError(reply.fail);
    const body = reply.text ?? JSON.stringify(reply.json);
    return new Response(body, { status: reply.status ?? 200, headers: { "content-type": "application/json" } });
  };
  return Object.assign(fetch as Fetch, { requests });
}

export const data = (value: Record<string, unknown>): Reply => ({ json: { data: value } });
export const gqlError = (code: string, message = `${code} happened`, status = 200): Reply => ({
  status,
  json: { errors: [{ message, extensions: { code } }], data: null },
});
