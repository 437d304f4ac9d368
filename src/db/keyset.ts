import type { ObjectLiteral, SelectQueryBuilder } from "typeorm";
import { connectionFrom, encodeCursor, type Connection, type Edge, type Page, type PageInfo } from "../pagination";

export const isNumberKey = (key: unknown[]): key is [number] =>
  key.length === 1 && Number.isSafeInteger(key[0]) && (key[0] as number) >= 0;

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
}

/** `(c1, c2, …) <op> (k1, k2, …)` in lexicographic order, written out (row comparison is not indexed alike on both stores). */
function beyond(columns: readonly string[], op: "<" | ">", key: readonly KeyValue[]): [string, Record<string, KeyValue>] {
  const params = Object.fromEntries(key.map((value, i) => [`pageKey${i}`, value]));
  const terms = columns.map((column, i) => [...columns.slice(0, i).map((c, j) => `${c} = :pageKey${j}`), `${column} ${op} :pageKey${i}`].join(" AND "));
  return [`(${terms.map((t) => `(${t})`).join(" OR ")})`, params];
}

/**
 * A page of a list ordered by a unique key, by keyset (never OFFSET), so a deep page costs what
 * the first one does and a row inserted while paging never shifts a page. One statement per
 * page; the count and the "previous side" are asked only when read.
 */
export async function keysetPage<R extends ObjectLiteral, N, K extends KeyValue[]>(spec: KeysetPage<R, N, K>, page: Page<K>): Promise<Connection<N>> {
  const qb = spec.query();
  const forwardOp = spec.order === "ASC" ? ">" : "<";
  const backwardOp = spec.order === "ASC" ? "<" : ">";
  const op = page.direction === "forward" ? forwardOp : backwardOp;
  if (page.key) qb.andWhere(...beyond(spec.columns, op, page.key));
  const order = page.direction === "forward" ? spec.order : spec.order === "ASC" ? "DESC" : "ASC";
  spec.columns.forEach((column, i) => (i === 0 ? qb.orderBy(column, order) : qb.addOrderBy(column, order)));
  const rows = await qb.limit(page.size + 1).getMany();
  // Rows on the cursor's near side (the cursor's own row included): is there a page that way?
  const nearSide = async () => {
    const [condition, params] = beyond(spec.columns, op, page.key!);
    return (await spec.query().andWhere(`NOT ${condition}`, params).limit(1).getCount()) > 0;
  };
  const toEdge = (row: R): Edge<N> => ({ cursor: encodeCursor(spec.cursorKind, spec.keyOf(row)), node: spec.toNode(row) });
  return connectionFrom(spec.Type, page, rows, toEdge, nearSide, () => spec.query().getCount());
}

export interface DescendingPage<R extends ObjectLiteral, N> extends Omit<KeysetPage<R, N, [number]>, "columns" | "order" | "keyOf"> {
  /** The key column as the query builder names it, e.g. "v.number". */
  column: string;
  keyOf: (row: R) => number;
}

/** A page of a list ordered newest first by one integer key. */
export function descendingPage<R extends ObjectLiteral, N>(spec: DescendingPage<R, N>, page: Page<[number]>): Promise<Connection<N>> {
  const { column, keyOf, ...rest } = spec;
  return keysetPage({ ...rest, columns: [column], order: "DESC", keyOf: (row) => [keyOf(row)] }, page);
}
