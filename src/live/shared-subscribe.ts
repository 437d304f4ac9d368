import { createSourceEventStream, execute, type DocumentNode, type ExecutionArgs, type ExecutionResult } from "graphql";
import type { RequestContext } from "../context";
import { withDeadline, withStatementBudget } from "../db/read-gate";

type Result = ExecutionResult | AsyncIterableIterator<ExecutionResult>;

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> => typeof value === "object" && value !== null && Symbol.asyncIterator in value;

/** `source` with `map` applied to each value; return/throw go straight to `source`, so ending it never waits for a next event. */
function mapIterable<T, U>(source: AsyncIterable<T>, map: (value: T) => Promise<U>): AsyncIterableIterator<U> {
  const iterator = source[Symbol.asyncIterator]();
  const done = async (): Promise<IteratorResult<U>> => ({ done: true, value: undefined });
  return {
    async next() {
      const step = await iterator.next();
      if (step.done) return { done: true, value: undefined };
      try {
        return { done: false, value: await map(step.value) };
      } catch (error) {
        // As graphql-js does: a failed mapping ends the source too, so nothing keeps listening.
        await iterator.return?.();
        throw error;
      }
    },
    return: async () => (iterator.return ? (await iterator.return(), done()) : done()),
    throw: async (error?: unknown) => {
      if (iterator.throw) await iterator.throw(error);
      return done();
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * Runs work of one WebSocket operation (opening a subscription, executing one of its events, a
 * query or mutation): on the connection's share of the pool, with a deadline of its own.
 */
export function withinConnection(args: ExecutionArgs): <T>(work: () => T) => T {
  const budget = (args.contextValue as RequestContext).statements;
  return (work) => withDeadline(() => (budget ? withStatementBudget(budget, work) : work()));
}

/**
 * graphql-js's `subscribe`, except that one event delivered to many subscribers of the same
 * operation is executed once for all of them. The live hub hands the same event object to every
 * local listener; subscribers that sent the same document (one parsed document per query text,
 * see websocket.ts), operation name and variables, from the same workspace with the same scopes,
 * get the same answer, so the first to map an event executes it and the others take its result.
 * Results are kept per event object and go when the event does.
 */
export function sharedSubscribe() {
  const documentIds = new WeakMap<DocumentNode, number>();
  let nextDocumentId = 0;
  const answers = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();

  const shareKey = (args: ExecutionArgs): string => {
    const context = args.contextValue as RequestContext;
    let id = documentIds.get(args.document);
    if (id === undefined) documentIds.set(args.document, (id = nextDocumentId++));
    const scopes = [...(context.principal?.scopes ?? [])].sort().join(",");
    return `${id}\n${context.caller.workspaceId}\n${scopes}\n${args.operationName ?? ""}\n${JSON.stringify(args.variableValues ?? {})}`;
  };

  return async (args: ExecutionArgs): Promise<Result> => {
    // Opening (and replaying) and each execution draw on the connection's share of the pool,
    // each with a deadline of its own.
    const within = withinConnection(args);
    const stream = await within(() => createSourceEventStream(args));
    if (!isAsyncIterable(stream)) return stream as ExecutionResult;
    const key = shareKey(args);
    const run = async (event: unknown) => (await within(() => execute({ ...args, rootValue: event }))) as ExecutionResult;
    return mapIterable(stream, (event) => {
      if (typeof event !== "object" || event === null) return run(event);
      let byKey = answers.get(event);
      if (!byKey) answers.set(event, (byKey = new Map()));
      let answer = byKey.get(key);
      if (!answer) byKey.set(key, (answer = run(event)));
      return answer;
    });
  };
}
