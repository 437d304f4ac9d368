import type { DataSource, EntityTarget, ObjectLiteral } from "typeorm";
import { AuditEntryEntity } from "../audit/audit-entry.entity";
import { DeploymentEntity } from "../deployment/deployment.entity";
import { LiveChangeEntity } from "../live/live-change.entity";
import { IdempotencyKeyEntity } from "../version/idempotency-key.entity";
import { VersionEntity } from "../version/version.entity";

type Raw = Record<string, unknown>;
type ColumnMetadata = ReturnType<DataSource["getMetadata"]>["columns"][number];

/**
 * One table as the write path speaks to it in plain SQL, derived from the entity's TypeORM
 * metadata when the database opens: the entity is the one place a column is declared, and its
 * SELECT list, INSERT and row mapper follow. (TypeORM's own builder and hydration cost more CPU
 * than the rest of a createVersion, so the write path does not use them.)
 */
export interface Table<E extends ObjectLiteral> {
  readonly name: string;
  /** Every column, for a SELECT list. */
  readonly columns: string;
  /**
   * INSERT of every column but the generated key. `expressions` replace a column's `?` with SQL
   * of its own (and its parameters), e.g. a value read from another row in the same statement.
   */
  insert(row: Partial<E>, expressions?: Partial<Record<keyof E & string, [sql: string, params: readonly unknown[]]>>): [string, unknown[]];
  /** The column behind a property, quoted for SQL. */
  column(property: keyof E & string): string;
  /** A property's value as it is bound to a statement. */
  param(property: keyof E & string, value: unknown): unknown;
  /** A row as either driver returns it, as the entity. */
  fromRow(row: Raw): E;
}

interface Codec {
  property: string;
  column: string;
  /** As it is written in SQL (`key` is a reserved word in MySQL). */
  quoted: string;
  generated: boolean;
  toParam(value: unknown): unknown;
  fromRaw(raw: unknown): unknown;
}

/** How a column's values travel, by the declared type (both drivers hand back numbers or strings). */
function codecOf(meta: ColumnMetadata, escape: (name: string) => string): Codec {
  const type = typeof meta.type === "string" ? meta.type : "";
  const transformer = Array.isArray(meta.transformer) ? undefined : meta.transformer;
  const nullable = (f: (value: unknown) => unknown) => (value: unknown) => (value == null ? null : f(value));
  let toParam: (value: unknown) => unknown = (value) => value ?? null;
  let fromRaw: (raw: unknown) => unknown = (raw) => raw ?? null;
  if (transformer) {
    toParam = (value) => transformer.to(value) ?? null;
    fromRaw = (raw) => transformer.from(raw);
  } else if (type === "json") {
    toParam = nullable((value) => JSON.stringify(value));
    // MariaDB keeps JSON as text, MySQL 8 hands it back parsed.
    fromRaw = nullable((raw) => (typeof raw === "string" ? JSON.parse(raw) : raw));
  } else if (type === "boolean") {
    toParam = nullable((value) => (value ? 1 : 0));
    fromRaw = nullable((raw) => Boolean(Number(raw)));
  } else if (type === "integer" || type === "int" || type === "bigint") {
    fromRaw = nullable(Number);
  }
  return { property: meta.propertyName, column: meta.databaseName, quoted: escape(meta.databaseName), generated: meta.isGenerated, toParam, fromRaw };
}

export function tableOf<E extends ObjectLiteral>(dataSource: DataSource, entity: EntityTarget<E>): Table<E> {
  const metadata = dataSource.getMetadata(entity);
  const Entity = metadata.target as new () => E;
  const codecs = metadata.columns.map((column) => codecOf(column, (name) => dataSource.driver.escape(name)));
  const byProperty = new Map(codecs.map((c) => [c.property, c]));
  const inserted = codecs.filter((c) => !c.generated);
  const into = `INSERT INTO ${metadata.tableName} (${inserted.map((c) => c.quoted).join(", ")})`;
  const plainInsert = `${into} VALUES (${inserted.map(() => "?").join(", ")})`;
  const codec = (property: string) => {
    const found = byProperty.get(property);
    if (!found) throw new Error(`${metadata.tableName} has no column for ${property}`);
    return found;
  };
  return {
    name: metadata.tableName,
    columns: codecs.map((c) => c.quoted).join(", "),
    insert(row, expressions) {
      if (!expressions) return [plainInsert, inserted.map((c) => c.toParam(row[c.property]))];
      const values: string[] = [];
      const params: unknown[] = [];
      for (const c of inserted) {
        const expression = (expressions as Record<string, [string, readonly unknown[]]>)[c.property];
        values.push(expression ? expression[0] : "?");
        params.push(...(expression ? expression[1] : [c.toParam(row[c.property])]));
      }
      return [`${into} VALUES (${values.join(", ")})`, params];
    },
    column: (property) => codec(property).quoted,
    param: (property, value) => codec(property).toParam(value),
    fromRow(row) {
      const entity = new Entity();
      for (const c of codecs) (entity as Raw)[c.property] = c.fromRaw(row[c.column]);
      return entity;
    },
  };
}

/** The tables the write path writes and reads back. */
export interface Tables {
  deployment: Table<DeploymentEntity>;
  version: Table<VersionEntity>;
  change: Table<LiveChangeEntity>;
  idempotency: Table<IdempotencyKeyEntity>;
  audit: Table<AuditEntryEntity>;
}

export function tablesOf(dataSource: DataSource): Tables {
  return {
    deployment: tableOf(dataSource, DeploymentEntity),
    version: tableOf(dataSource, VersionEntity),
    change: tableOf(dataSource, LiveChangeEntity),
    idempotency: tableOf(dataSource, IdempotencyKeyEntity),
    audit: tableOf(dataSource, AuditEntryEntity),
  };
}
