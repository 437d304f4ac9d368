import { DataSource, type DataSourceOptions } from "typeorm";
import { createConnection } from "mysql2/promise";
import type { DatabaseConfig } from "../config";
import { SnakeNamingStrategy } from "./naming";
import { WorkspaceEntity } from "../workspace/workspace.entity";
import { DeploymentEntity } from "../deployment/deployment.entity";
import { VersionEntity } from "../version/version.entity";
import { LiveChangeEntity } from "../live/live-change.entity";
import { IdempotencyKeyEntity } from "../version/idempotency-key.entity";
import { Initial1764144000000 } from "../../migrations/1764144000000-Initial";
import { ApiKeys1764150000000 } from "../../migrations/1764150000000-ApiKeys";
import { DeploymentRevision1764200000000 } from "../../migrations/1764200000000-DeploymentRevision";
import { AuditLog1764400000000 } from "../../migrations/1764400000000-AuditLog";
import { LiveAtIndex1764410000000 } from "../../migrations/1764410000000-LiveAtIndex";
import { DeploymentLifecycle1764420000000 } from "../../migrations/1764420000000-DeploymentLifecycle";
import { Retention1764430000000 } from "../../migrations/1764430000000-Retention";
import { MaintenanceLeaseEntity } from "../retention/lease.entity";
import { Webhooks1764600000000 } from "../../migrations/1764600000000-Webhooks";
import { DeploymentPin1764500000000 } from "../../migrations/1764500000000-DeploymentPin";
import { VersionFlag1764500000001 } from "../../migrations/1764500000001-VersionFlag";
import { VersionFlagEntity } from "../release/version-flag.entity";
import { ApiKeyEntity } from "../auth/api-key.entity";
import { AuditEntryEntity } from "../audit/audit-entry.entity";

export const entities = [
  WorkspaceEntity,
  DeploymentEntity,
  VersionEntity,
  LiveChangeEntity,
  IdempotencyKeyEntity,
  ApiKeyEntity,
  AuditEntryEntity,
  MaintenanceLeaseEntity,
  VersionFlagEntity,
];
export const migrations = [
  Initial1764144000000,
  ApiKeys1764150000000,
  DeploymentRevision1764200000000,
  AuditLog1764400000000,
  LiveAtIndex1764410000000,
  DeploymentLifecycle1764420000000,
  Retention1764430000000,
  DeploymentPin1764500000000,
  VersionFlag1764500000001,
  Webhooks1764600000000,
];

const common = { entities, migrations, namingStrategy: new SnakeNamingStrategy(), synchronize: false, logging: false } as const;

/** MariaDB and MySQL differ in how TypeORM must read back JSON columns, so ask the server. */
async function mysqlFlavour(url: string): Promise<"mysql" | "mariadb"> {
  const connection = await createConnection({ uri: url, connectTimeout: 5000 });
  try {
    const [rows] = await connection.query("SELECT VERSION() AS v");
    return /mariadb/i.test(String((rows as Array<{ v: string }>)[0]?.v)) ? "mariadb" : "mysql";
  } finally {
    await connection.end();
  }
}

export async function mysqlOptions(url: string, poolSize: number): Promise<DataSourceOptions> {
  return {
    ...common,
    type: await mysqlFlavour(url),
    url,
    charset: "utf8mb4",
    timezone: "Z",
    poolSize,
    // Fail fast while the database is down instead of queueing requests behind a dead pool. A
    // statement whose server stopped answering (a frozen host, a partition) gives up too, as
    // UNAVAILABLE, instead of waiting for TCP keepalive (hours): statement-watchdog.ts times every
    // statement, from when it is queued, and closes its connection (mysql2's own query timeout
    // would leave it in the pool with the statement stuck in front of the next).
    connectTimeout: 5000,
    extra: { enableKeepAlive: true, queueLimit: 1000, maxIdle: poolSize },
    // mysql2 otherwise captures a stack trace for every statement (~4 % of a write's CPU) to
    // attach to errors that TypeORM wraps in a QueryFailedError with its own stack anyway.
    trace: false,
  };
}

export function sqliteOptions(path: string, readonly: boolean): DataSourceOptions {
  return {
    ...common,
    type: "better-sqlite3",
    database: path,
    readonly,
    enableWAL: !readonly,
    timeout: 5000,
    prepareDatabase: (db: { pragma(source: string): unknown }) => {
      db.pragma("foreign_keys = ON");
      db.pragma("synchronous = NORMAL");
    },
  };
}

export async function openDataSource(options: DataSourceOptions): Promise<DataSource> {
  return new DataSource(options).initialize();
}

export type { DatabaseConfig };
