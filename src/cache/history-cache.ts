/**
 * The history cache: answers of history reads of one deployment, served again while the
 * deployment has not changed.
 *
 * Why it is correct. An answer is cached only for a document that selects nothing but fields
 * classified cacheable (cacheable.ts): each is a function of the deployment row, of immutable
 * versions, and of the deployment's live log. Every write to a deployment — createVersion,
 * rollback, promote, a settings update — goes through the write store, which increments the
 * row's `revision` in the same transaction (src/db/write-store.ts). So (deployment id,
 * revision) names one state of everything such an answer shows, and an answer is stored under
 * the revision read *before* it was computed and served only to a request that has read that
 * same revision fresh: by a statement that started after the request arrived (fresh-rows.ts),
 * so it sees every change committed, on any instance, before then. Unlike the row's contents,
 * a revision never repeats: a rollback and a promote back within one clock tick leave the row's
 * other columns as they were, but not its revision.
 *
 * A read by name (`deploymentByName`) is the same, with the fresh read of the name: it finds
 * the row `deploymentByName` would find now (not deleted, in the caller's workspace), and the
 * answer is kept under that row's id and revision. An answer computed while the name moved to
 * another deployment is kept under the old id, which no fresh read of the name returns again.
 *
 * Two ways in: `execute` inside Apollo's pipeline (after parsing, validation and the query
 * limits), which fills the cache; and `answer`, asked by the HTTP handler before that pipeline
 * for a query text that has been answered from here before. The same text, operation name and
 * variables parse, validate and pass the limits exactly as they did then, so only the caller
 * (authentication and the read scope) and the revision still need checking.
 */
import { Kind, type DocumentNode, type ExecutionResult, type GraphQLSchema } from "graphql";
import { requireScopes } from "../auth/require-scopes";
import { KeyScope } from "../auth/scopes";
import type { RequestContext } from "../context";
import type { Database } from "../db/database";
import { decodeId } from "../ids";
import { cacheableRead, type ArgumentSource, type DeploymentIdSource } from "./cacheable";
import { FreshRows, type RevisionRow, type RowLookup } from "./fresh-rows";
import { ResponseCache } from "./response-cache";

/** A GraphQL request as the client sent it (the JSON body's fields). */
export interface ReadRequest {
  query: string;
  variables: Record<string, unknown> | null | undefined;
  operationName: string | null | undefined;
}

/** A cached answer as the HTTP handler sends it. */
export interface CachedAnswer {
  text: string;
  /** The operation's name in the document, for the request log. */
  operationName: string | null;
}

/** Response text kept at most, in characters (the answers' objects take about as much again). */
const MAX_CACHED_TEXT = 32 * 1024 * 1024;
/** Query texts remembered as cacheable; past this many the memo starts over. */
const MAX_KNOWN_QUERIES = 1_000;

function operationNameOf(document: DocumentNode): string | null {
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  return operation?.kind === Kind.OPERATION_DEFINITION ? (operation.name?.value ?? null) : null;
}

function canRead(context: RequestContext): boolean {
  try {
    requireScopes(context, [KeyScope.READ]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where a cached answer is looked up: how to find its deployment fresh (by id, or by name), that
 * lookup as text, and the answer's key among that deployment's answers.
 */
interface Slot {
  lookup: RowLookup;
  lookupKey: string;
  key: string;
}

/** How a cacheable read was answered: before the pipeline, from the cache inside it, or executed. */
export type CacheOutcome = "early" | "hit" | "miss";

/**
 * Each answer's key is its query text, operation name, variables and workspace; one with errors
 * is never kept.
 */
export class HistoryCache {
  private readonly rows: FreshRows;
  private readonly cache = new ResponseCache<{ result: ExecutionResult; text: string }>(MAX_CACHED_TEXT);
  private readonly analysed = new WeakMap<DocumentNode, DeploymentIdSource | null>();
  /** Query texts with answers in the cache: where their deployment id is, and their operation's name. */
  private readonly known = new Map<string, { source: DeploymentIdSource; operationName: string | null }>();
  /** A cached answer's data → its response text, so a hit through Apollo is not serialised again. */
  private readonly serialised = new WeakMap<object, string>();

  constructor(
    private readonly schema: GraphQLSchema,
    db: Database,
    private readonly count: (outcome: CacheOutcome) => void = () => undefined,
  ) {
    this.rows = new FreshRows(db);
  }

  /**
   * The response text of a validated cached answer to `request`, or null when there is none
   * (never seen, another caller or row, refused scope): the request then takes the usual path.
   */
  async answer(context: RequestContext, request: ReadRequest): Promise<CachedAnswer | null> {
    const known = this.known.get(request.query);
    const slot = known && this.slotOf(known.source, known.operationName, context, request);
    if (!known || !slot) return null;
    const row = await this.freshRow(slot, context.caller.workspaceId);
    const text = row ? this.cache.get(row.id, row.revision, slot.key)?.text : undefined;
    // The pipeline this request goes on to need not read the row again.
    if (text === undefined) context.historyRevision = { lookup: slot.lookupKey, row };
    else this.count("early");
    return text === undefined ? null : { text, operationName: known.operationName };
  }

  /** Executes one request for Apollo: from the cache when it can, otherwise with `run` (and keeps a good answer). */
  async execute(context: RequestContext, document: DocumentNode, request: ReadRequest, run: () => Promise<ExecutionResult>): Promise<ExecutionResult> {
    let source = this.analysed.get(document);
    if (source === undefined) this.analysed.set(document, (source = cacheableRead(this.schema, document)));
    const slot = source && this.slotOf(source, operationNameOf(document), context, request);
    if (!source || !slot) return run();
    // A row read for this request before the pipeline started is as fresh as one read now.
    const read = context.historyRevision;
    let row: RevisionRow | null;
    try {
      row = read?.lookup === slot.lookupKey ? read.row : await this.freshRow(slot, context.caller.workspaceId);
    } catch {
      // The resolvers meet the same failure and report it (UNAVAILABLE) the usual way.
      return run();
    }
    if (row === null) return run();
    const hit = this.cache.get(row.id, row.revision, slot.key);
    this.count(hit ? "hit" : "miss");
    if (hit) return hit.result;
    const result = await run();
    if (!result.errors && result.data) {
      const text = `${JSON.stringify({ data: result.data })}\n`;
      this.serialised.set(result.data, text);
      // Kept under the revision read before the answer was computed (see the top of this file).
      this.cache.set(row.id, row.revision, slot.key, { result: { data: result.data }, text }, text.length);
      if (!this.known.has(request.query)) {
        if (this.known.size >= MAX_KNOWN_QUERIES) this.known.clear();
        this.known.set(request.query, { source, operationName: operationNameOf(document) });
      }
    }
    return result;
  }

  /** The response text already made for a cached answer's data (Apollo's serialiser asks). */
  textOf(data: object): string | undefined {
    return this.serialised.get(data);
  }

  private slotOf(source: DeploymentIdSource, operationName: string | null, context: RequestContext, request: ReadRequest): Slot | null {
    // Any other name (even "") is an error Apollo reports; only the pipeline may answer it.
    if (request.operationName != null && request.operationName !== operationName) return null;
    if (!canRead(context)) return null;
    const value = (argument: ArgumentSource) => ("variable" in argument ? request.variables?.[argument.variable] : argument.literal);
    const workspaceId = context.caller.workspaceId;
    const key = `${workspaceId}\n${request.operationName ?? ""}\n${JSON.stringify(request.variables ?? {})}\n${request.query}`;
    if ("id" in source) {
      const id = value(source.id);
      const deployment = typeof id === "string" ? decodeId("deployment", id) : null;
      return deployment === null ? null : { lookup: { id: deployment }, lookupKey: `id ${deployment}`, key };
    }
    const [flowName, name] = [value(source.flowName), value(source.name)];
    if (typeof flowName !== "string" || typeof name !== "string") return null;
    return { lookup: { workspaceId, flowName, name }, lookupKey: `name ${JSON.stringify([flowName, name])}`, key };
  }

  /**
   * The deployment's row, read fresh (fresh-rows.ts): by id, or by name as `deploymentByName`
   * finds it now. Null when there is none in the caller's workspace.
   */
  private async freshRow(slot: Slot, workspaceId: number): Promise<RevisionRow | null> {
    const row = await this.rows.read(slot.lookup);
    return row && row.workspaceId === workspaceId ? row : null;
  }
}
