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
  /** The list's totalCount; by default one COUNT of the query, when read. */
  count?: () => Promise<number>;
}

function pagedQuery<R extends ObjectLiteral, N>(spec: DescendingPage<R, N>, page: Page<[number]>): SelectQueryBuilder<R> {
  const qb = spec.query();
  const key = page.key?.[0];
  if (page.direction === "forward") {
    if (key !== undefined) qb.andWhere(`${spec.column} < :pageKey`, { pageKey: key });
    qb.orderBy(spec.column, "DESC");
  } else {
    if (key !== undefined) qb.andWhere(`${spec.column} > :pageKey`, { pageKey: key });
    qb.orderBy(spec.column, "ASC");
  }
  return qb.limit(page.size + 1);
}

function connectionOf<R extends ObjectLiteral, N>(spec: DescendingPage<R, N>, page: Page<[number]>, rows: R[]): Connection<N> {
  const key = page.key?.[0];
  const nearSide = async () => {
    const op = page.direction === "forward" ? ">=" : "<=";
    return (await spec.query().andWhere(`${spec.column} ${op} :pageKey`, { pageKey: key }).limit(1).getCount()) > 0;
  };
  const toEdge = (row: R): Edge<N> => ({ cursor: encodeCursor(spec.cursorKind, [spec.keyOf(row)]), node: spec.toNode(row) });
  return connectionFrom(spec.Type, page, rows, toEdge, nearSide, spec.count ?? (() => spec.query().getCount()));
}

/**
 * A page of a list ordered newest first by an integer key, by keyset (never OFFSET), so a deep
 * page costs what the first one does and a row inserted while paging never shifts a page.
 * One statement per page; the count and the "previous side" are asked only when read.
 */
export async function descendingPage<R extends ObjectLiteral, N>(spec: DescendingPage<R, N>, page: Page<[number]>): Promise<Connection<N>> {
  return connectionOf(spec, page, await pagedQuery(spec, page).getMany());
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
export async function descendingPages<R extends ObjectLiteral, N>(lists: ParentPages<R, N>, parents: number[], page: Page<[number]>): Promise<Array<Connection<N>>> {
  if (parents.length === 1) return [await descendingPage(lists.of(parents[0]!), page)];
  const parts = parents.map((parent) => {
    const qb = pagedQuery(lists.of(parent), page);
    return qb.select(`${qb.alias}.id`, "id").getQueryAndParameters();
  });
  const sql = parts.map(([query], i) => `SELECT id FROM (${query}) p${i}`).join(" UNION ALL ");
  const ids = ((await lists.of(parents[0]!).query().connection.query(sql, parts.flatMap(([, params]) => params))) as Array<{ id: unknown }>).map((r) => Number(r.id));
  const rows = ids.length === 0 ? [] : await lists.byIds(ids);
  return parents.map((parent) => {
    const spec = lists.of(parent);
    const sign = page.direction === "forward" ? -1 : 1;
    const mine = rows.filter((row) => lists.parentOf(row) === parent).sort((a, b) => sign * (spec.keyOf(a) - spec.keyOf(b)));
    return connectionOf(spec, page, mine);
  });
}
