import type { ObjectLiteral, SelectQueryBuilder } from "typeorm";
import { connectionFrom, encodeCursor, type Connection, type Edge, type Page, type PageInfo } from "../pagination";

export const isNumberKey = (key: unknown[]): key is [number] => key.length === 1 && Number.isSafeInteger(key[0]) && (key[0] as number) >= 0;

type KeyValue = string | number;

export interface KeysetPage<R extends ObjectLiteral, N, K extends KeyValue[]> {
  /** The filtered query, before ordering and paging; called once per statement. */
  query: () => SelectQueryBuilder<R>;
  /** The key columns as the query builder names them, most significant first, e.g. ["d.flowName", "d.name"]; unique together. */
  columns: readonly string[];
  /** The list's order (forward paging): ASC, or DESC for newest first. */
  order: "ASC" | "DESC";
  keyOf: (row: R) => K;
  cursorKind: string;
  toNode: (row: R) => N;
  Type: new (edges: Array<Edge<N>>, pageInfo: PageInfo, count: () => Promise<number>) => Connection<N>;
  /** The list's totalCount; by default one COUNT of the query, when read. */
  count?: () => Promise<number>;
}

/** `(c1, c2, …) <op> (k1, k2, …)` in lexicographic order, written out (row comparison is not indexed alike on both stores). */
function beyond(columns: readonly string[], op: "<" | ">", key: readonly KeyValue[]): [string, Record<string, KeyValue>] {
  const params = Object.fromEntries(key.map((value, i) => [`pageKey${i}`, value]));
  const terms = columns.map((column, i) => [...columns.slice(0, i).map((c, j) => `${c} = :pageKey${j}`), `${column} ${op} :pageKey${i}`].join(" AND "));
  return [`(${terms.map((t) => `(${t})`).join(" OR ")})`, params];
}

/** The comparison that selects rows past the cursor in the page's direction. */
function pageOp(order: "ASC" | "DESC", direction: Page<unknown>["direction"]): "<" | ">" {
  return (direction === "forward") === (order === "ASC") ? ">" : "<";
}

function pagedQuery<R extends ObjectLiteral, N, K extends KeyValue[]>(spec: KeysetPage<R, N, K>, page: Page<K>): SelectQueryBuilder<R> {
  const qb = spec.query();
  if (page.key) qb.andWhere(...beyond(spec.columns, pageOp(spec.order, page.direction), page.key));
  const order = page.direction === "forward" ? spec.order : spec.order === "ASC" ? "DESC" : "ASC";
  spec.columns.forEach((column, i) => (i === 0 ? qb.orderBy(column, order) : qb.addOrderBy(column, order)));
  return qb.limit(page.size + 1);
}

function connectionOf<R extends ObjectLiteral, N, K extends KeyValue[]>(spec: KeysetPage<R, N, K>, page: Page<K>, rows: R[]): Connection<N> {
  // Rows on the cursor's near side (the cursor's own row included): is there a page that way?
  const nearSide = async () => {
    const [condition, params] = beyond(spec.columns, pageOp(spec.order, page.direction), page.key!);
    return (await spec.query().andWhere(`NOT ${condition}`, params).limit(1).getCount()) > 0;
  };
  const toEdge = (row: R): Edge<N> => ({ cursor: encodeCursor(spec.cursorKind, spec.keyOf(row)), node: spec.toNode(row) });
  return connectionFrom(spec.Type, page, rows, toEdge, nearSide, spec.count ?? (() => spec.query().getCount()));
}

/**
 * A page of a list ordered by a unique key, by keyset (never OFFSET), so a deep page costs what
 * the first one does and a row inserted while paging never shifts a page. One statement per
 * page; the count and the "previous side" are asked only when read.
 */
export async function keysetPage<R extends ObjectLiteral, N, K extends KeyValue[]>(spec: KeysetPage<R, N, K>, page: Page<K>): Promise<Connection<N>> {
  return connectionOf(spec, page, await pagedQuery(spec, page).getMany());
}

export interface DescendingPage<R extends ObjectLiteral, N> extends Omit<KeysetPage<R, N, [number]>, "columns" | "order" | "keyOf"> {
  /** The key column as the query builder names it, e.g. "v.number". */
  column: string;
  keyOf: (row: R) => number;
}

/** The keyset form of a list ordered newest first by one integer key. */
function descending<R extends ObjectLiteral, N>(spec: DescendingPage<R, N>): KeysetPage<R, N, [number]> {
  const { column, keyOf, ...rest } = spec;
  return { ...rest, columns: [column], order: "DESC", keyOf: (row) => [keyOf(row)] };
}

/** A page of a list ordered newest first by one integer key. */
export function descendingPage<R extends ObjectLiteral, N>(spec: DescendingPage<R, N>, page: Page<[number]>): Promise<Connection<N>> {
  return keysetPage(descending(spec), page);
}

/** The same page of the same list under many parents (a deployment's versions, for each of several deployments). */
export interface ParentPages<R extends ObjectLiteral, N> {
  /** The list of one parent. */
  of: (parent: number) => DescendingPage<R, N>;
  parentOf: (row: R) => number;
  /** Whole rows by primary key (`id`), in any order. */
  byIds: (ids: number[]) => Promise<R[]>;
}

/**
 * The page of each parent's list in two statements whatever the number of parents: the ids of
 * every page at once (one keyset query per parent, joined with UNION ALL, each still served by
 * its index), then their rows. One parent takes the one-statement path.
 */
export async function descendingPages<R extends ObjectLiteral, N>(
  lists: ParentPages<R, N>,
  parents: number[],
  page: Page<[number]>,
): Promise<Array<Connection<N>>> {
  if (parents.length === 1) return [await descendingPage(lists.of(parents[0]!), page)];
  const parts = parents.map((parent) => {
    const qb = pagedQuery(descending(lists.of(parent)), page);
    return qb.select(`${qb.alias}.id`, "id").getQueryAndParameters();
  });
  const sql = parts.map(([query], i) => `SELECT id FROM (${query}) p${i}`).join(" UNION ALL ");
  const ids = (
    (await lists
      .of(parents[0]!)
      .query()
      .connection.query(
        sql,
        parts.flatMap(([, params]) => params),
      )) as Array<{ id: unknown }>
  ).map((r) => Number(r.id));
  const rows = ids.length === 0 ? [] : await lists.byIds(ids);
  return parents.map((parent) => {
    const spec = lists.of(parent);
    const sign = page.direction === "forward" ? -1 : 1;
    const mine = rows.filter((row) => lists.parentOf(row) === parent).sort((a, b) => sign * (spec.keyOf(a) - spec.keyOf(b)));
    return connectionOf(descending(spec), page, mine);
  });
}
