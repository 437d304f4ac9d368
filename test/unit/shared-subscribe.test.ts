import { GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString, parse, type ExecutionResult } from "graphql";
import { describe, expect, it } from "vitest";
import { sharedSubscribe } from "../../src/live/shared-subscribe";

interface Event {
  n: number;
}

/** A subscription whose events come from `feeds` (one per subscriber) and whose resolve counts its calls. */
function fixture() {
  const calls: string[] = [];
  const feeds: Array<{ push: (event: Event) => void; ended: boolean }> = [];
  const Change = new GraphQLObjectType({ name: "Change", fields: { n: { type: GraphQLInt }, label: { type: GraphQLString } } });
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: "Query", fields: { ok: { type: GraphQLInt } } }),
    subscription: new GraphQLObjectType({
      name: "Subscription",
      fields: {
        changes: {
          type: Change,
          args: { label: { type: GraphQLString } },
          subscribe: () => {
            const queue: Event[] = [];
            let wake: (() => void) | null = null;
            const feed = { push: (e: Event) => (queue.push(e), wake?.()), ended: false };
            feeds.push(feed);
            return {
              [Symbol.asyncIterator]() {
                return this;
              },
              async next() {
                while (queue.length === 0 && !feed.ended) await new Promise<void>((resolve) => (wake = resolve));
                return feed.ended ? { done: true, value: undefined } : { done: false, value: queue.shift() };
              },
              async return() {
                feed.ended = true;
                wake?.();
                return { done: true, value: undefined };
              },
            };
          },
          resolve: (event: Event, args: { label?: string }) => {
            calls.push(`${event.n}:${args.label ?? ""}`);
            return { n: event.n, label: args.label ?? null };
          },
        },
      },
    }),
  });
  return { schema, calls, feeds };
}

const context = (workspaceId: number, scopes: string[] = ["read"]) => ({ caller: { workspaceId, actor: "a" }, principal: { scopes: new Set(scopes) } });
type Stream = AsyncIterableIterator<ExecutionResult>;

describe("sharedSubscribe", () => {
  it("executes an event once for every subscriber of the same document, variables and caller", async () => {
    const { schema, calls, feeds } = fixture();
    const subscribe = sharedSubscribe();
    const document = parse(`subscription S($l: String) { changes(label: $l) { n label } }`);
    const same = { schema, document, variableValues: { l: "x" } };
    const streams = (await Promise.all([
      subscribe({ ...same, contextValue: context(1) }),
      subscribe({ ...same, contextValue: context(1) }),
      subscribe({ ...same, variableValues: { l: "y" }, contextValue: context(1) }),
      subscribe({ ...same, contextValue: context(2) }),
      subscribe({ ...same, contextValue: context(1, ["read", "deploy"]) }),
      subscribe({ ...same, document: parse(`subscription S($l: String) { changes(label: $l) { n label } }`), contextValue: context(1) }),
    ])) as Stream[];
    const event = { n: 7 };
    for (const feed of feeds) feed.push(event);
    const results = await Promise.all(streams.map((s) => s.next()));
    expect(results.map((r) => r.value)).toEqual([
      { data: { changes: { n: 7, label: "x" } } },
      { data: { changes: { n: 7, label: "x" } } },
      { data: { changes: { n: 7, label: "y" } } },
      { data: { changes: { n: 7, label: "x" } } },
      { data: { changes: { n: 7, label: "x" } } },
      { data: { changes: { n: 7, label: "x" } } },
    ]);
    // The first two share; another label, workspace, set of scopes or document each execute.
    expect(calls.sort()).toEqual(["7:x", "7:x", "7:x", "7:x", "7:y"]);
    // Another event object is executed again, even with equal contents.
    calls.length = 0;
    for (const feed of feeds.slice(0, 2)) feed.push({ n: 7 });
    await Promise.all(streams.slice(0, 2).map((s) => s.next()));
    expect(calls).toEqual(["7:x", "7:x"]);
  });

  it("ends a stream at once, while it waits for an event", async () => {
    const { schema, feeds } = fixture();
    const stream = (await sharedSubscribe()({ schema, document: parse(`subscription { changes { n } }`), contextValue: context(1) })) as Stream;
    const pending = stream.next();
    await expect(stream.return!()).resolves.toEqual({ done: true, value: undefined });
    expect(feeds[0]!.ended).toBe(true);
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
  });

  it("answers a failing subscribe step with its errors, not a stream", async () => {
    const { schema } = fixture();
    const result = (await sharedSubscribe()({
      schema,
      document: parse(`subscription { changes { n } }`),
      operationName: "Missing",
      contextValue: context(1),
    })) as ExecutionResult;
    expect(result.errors?.[0]?.message).toMatch(/Missing/);
  });
});
