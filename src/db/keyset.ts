import type { ObjectLiteral, SelectQueryBuilder } from "typeorm";
import { connectionFrom, encodeCursor, type Connection, type Edge, type Page, type PageInfo } from "../pagination";

export const isNumberKey = (key: unknown[]): key is [number] =>
  key.length === 1 && Number.isSafeInteger(key[0]) && (key[0] as number) >= 0;

export interface DescendingPage<R extends ObjectLiteral, N> {
  /** The filtered query, before ordering and paging; called once per statement. */
  query: () => SelectQueryBuilder<R>;
  /** The key column as the query builder names it, e.g. "v.number". */
  column: string;
  keyOf: (row: R) => number;
  cursorKind: string;
  toNode: (row: R) => N;
  Type: new (edges: Array<Edge<N>>, pageInfo: PageInfo, count: () => Promise<number>) => Connection<N>;
}

/**
 * A page of a list ordered newest first by an integer key, by keyset (never OFFSET), so a deep
 * page costs what the first one does and a row inserted while paging never shifts a page.
 * One statement per page; the count and the "previous side" are asked only when read.
 */
export async function descendingPage<R extends ObjectLiteral, N>(spec: DescendingPage<R, N>, page: Page<[number]>): Promise<Connection<N>> {
  const qb = spec.query();
  const key = page.key?.[0];
  if (page.direction === "forward") {
    if (key !== undefined) qb.andWhere(`${spec.column} < :pageKey`, { pageKey: key });
    qb.orderBy(spec.column, "DESC");
  } else {
    if (key !== undefined) qb.andWhere(`${spec.column} > :pageKey`, { pageKey: key });
    qb.orderBy(spec.column, "ASC");
  }
  const rows = await qb.limit(page.size + 1).getMany();
  const nearSide = async () => {
    const op = page.direction === "forward" ? ">=" : "<=";
    return (await spec.query().andWhere(`${spec.column} ${op} :pageKey`, { pageKey: key }).limit(1).getCount()) > 0;
  };
  const toEdge = (row: R): Edge<N> => ({ cursor: encodeCursor(spec.cursorKind, [spec.keyOf(row)]), node: spec.toNode(row) });
  return connectionFrom(spec.Type, page, rows, toEdge, nearSide, () => spec.query().getCount());
}
