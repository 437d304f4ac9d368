import { ArgsType, Field, Int, ObjectType, type ClassType } from "type-graphql";
import { badInput } from "./errors";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Relay arguments, shared by every connection field. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: `Items from the start; default ${DEFAULT_PAGE_SIZE}, 0–${MAX_PAGE_SIZE}.` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: "Cursor of the item the page starts after." })
  after?: string | null;
}

@ArgsType()
export class BidirectionalPageArgs extends PageArgs {
  @Field(() => Int, { nullable: true, description: `Items from the end; 0–${MAX_PAGE_SIZE}; not with first.` })
  last?: number | null;

  @Field(() => String, { nullable: true, description: "Cursor of the item the page ends before." })
  before?: string | null;
}

/** A validated page request; `key` is the decoded cursor, null for "from the edge". */
export interface Page<K> {
  direction: "forward" | "backward";
  size: number;
  key: K | null;
}

function size(name: string, value: number | null | undefined): number | null {
  if (value == null) return null;
  if (!Number.isInteger(value) || value < 0 || value > MAX_PAGE_SIZE) {
    throw badInput(`${name} must be between 0 and ${MAX_PAGE_SIZE}, got ${value}`);
  }
  return value;
}

/** Cursors are opaque: base64url of [kind, ...key]. The kind stops a cursor of one list being used on another. */
export function encodeCursor(kind: string, key: readonly unknown[]): string {
  return Buffer.from(JSON.stringify([kind, ...key])).toString("base64url");
}

export function decodeCursor<K>(kind: string, cursor: string, isKey: (key: unknown[]) => key is unknown[] & K): K {
  let parsed: unknown;
  try {
    parsed = /^[A-Za-z0-9_-]{1,4000}$/.test(cursor) ? JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) : null;
  } catch {
    parsed = null;
  }
  if (Array.isArray(parsed) && parsed[0] === kind) {
    const key = parsed.slice(1);
    if (isKey(key)) return key;
  }
  throw badInput(`"${cursor.slice(0, 100)}" is not a valid cursor for this list`);
}

export function pageOf<K>(args: Partial<BidirectionalPageArgs>, kind: string, isKey: (key: unknown[]) => key is unknown[] & K): Page<K> {
  const first = size("first", args.first);
  const last = size("last", args.last);
  if (first != null && last != null) throw badInput("Pass first or last, not both");
  if (args.after != null && args.before != null) throw badInput("Pass after or before, not both");
  if (last != null || (args.before != null && first == null)) {
    if (args.after != null) throw badInput("after goes with first, not with last");
    return { direction: "backward", size: last ?? DEFAULT_PAGE_SIZE, key: args.before == null ? null : decodeCursor(kind, args.before, isKey) };
  }
  if (args.before != null) throw badInput("before goes with last, not with first");
  return { direction: "forward", size: first ?? DEFAULT_PAGE_SIZE, key: args.after == null ? null : decodeCursor(kind, args.after, isKey) };
}

type Lazy<T> = T | (() => Promise<T>);
const force = <T>(value: Lazy<T>): T | Promise<T> => (typeof value === "function" ? (value as () => Promise<T>)() : value);

@ObjectType({ description: "Relay page information." })
export class PageInfo {
  constructor(
    private readonly next: Lazy<boolean>,
    private readonly previous: Lazy<boolean>,
    startCursor: string | null,
    endCursor: string | null,
  ) {
    this.startCursor = startCursor;
    this.endCursor = endCursor;
  }

  @Field(() => Boolean, { description: "True when items exist after this page." })
  hasNextPage(): boolean | Promise<boolean> {
    return force(this.next);
  }

  @Field(() => Boolean, { description: "True when items exist before this page." })
  hasPreviousPage(): boolean | Promise<boolean> {
    return force(this.previous);
  }

  @Field(() => String, { nullable: true, description: "Cursor of the page's first item; null for an empty page." })
  startCursor: string | null;

  @Field(() => String, { nullable: true, description: "Cursor of the page's last item; null for an empty page." })
  endCursor: string | null;
}

export interface Edge<N> {
  cursor: string;
  node: N;
}

export interface Connection<N> {
  edges: Array<Edge<N>>;
  pageInfo: PageInfo;
  totalCount(): number | Promise<number>;
}

/**
 * Declares `<Name>Connection` and `<Name>Edge` for a node type, every type and field of both
 * described from `described` (what a node is, plural).
 */
export function connectionType<N extends object>(name: string, node: ClassType<N>, described: string) {
  const say = (text: string) => ({ description: text });
  @ObjectType(`${name}Edge`, say(`One of the ${described}, with its cursor.`))
  class EdgeType {
    @Field(() => String, say("Opaque; pass it as `after` (or, where the list takes it, `before`) to page from this item."))
    cursor!: string;

    @Field(() => node, say("The item."))
    node!: N;
  }

  @ObjectType(`${name}Connection`, say(`A page of ${described}.`))
  class ConnectionType implements Connection<N> {
    /** The edge type, for payloads that hand back one edge (e.g. createVersion's versionEdge). */
    static readonly Edge = EdgeType;

    constructor(
      edges: Array<Edge<N>>,
      pageInfo: PageInfo,
      private readonly count: () => Promise<number>,
    ) {
      this.edges = edges;
      this.pageInfo = pageInfo;
    }

    @Field(() => [EdgeType], say("The page's items, in the list's order."))
    edges: Array<Edge<N>>;

    @Field(() => PageInfo, say("Whether there are more, and the cursors of the page's ends."))
    pageInfo: PageInfo;

    @Field(() => Int, { description: "Items in the whole list with this filter, not just this page." })
    totalCount(): Promise<number> {
      return this.count();
    }
  }
  return ConnectionType;
}

/**
 * Builds a connection from rows fetched with one extra row past the page, which tells whether
 * more exist on the far side; the near side is asked only if a client reads it.
 */
export function connectionFrom<R, N>(
  Type: new (edges: Array<Edge<N>>, pageInfo: PageInfo, count: () => Promise<number>) => Connection<N>,
  page: Page<unknown>,
  fetched: R[],
  toEdge: (row: R) => Edge<N>,
  nearSide: () => Promise<boolean>,
  count: () => Promise<number>,
): Connection<N> {
  const more = fetched.length > page.size;
  const rows = fetched.slice(0, page.size);
  if (page.direction === "backward") rows.reverse();
  const edges = rows.map(toEdge);
  const near: Lazy<boolean> = page.key == null ? false : nearSide;
  const [next, previous] = page.direction === "forward" ? [more, near] : [near, more];
  const info = new PageInfo(next, previous, edges[0]?.cursor ?? null, edges.at(-1)?.cursor ?? null);
  return new Type(edges, info, count);
}
