import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, createConnection as createConnectionTcp } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConnection } from "mysql2/promise";

/**
 * A free loopback port for a service a test starts. It is picked at random below the kernel's
 * ephemeral range: ports from there (what listen(0) hands out) are also the local ports of every
 * outgoing connection, so one picked there could be taken by any client socket on the machine
 * before the service binds it. That happened to a Galera node started seconds after its ports
 * were picked, while other tests ran. Below the range only another listener can take it, and no
 * port is handed out twice by this process.
 */
export async function freePort(): Promise<number> {
  const low = 10_000;
  const high = ephemeralRangeStart() - 1;
  for (let attempt = 0; attempt < 100 && high > low; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (!handedOut.has(port) && (await bindable(port))) return handOut(port);
  }
  return handOut(await listenZero());
}

const handedOut = new Set<number>();
const handOut = (port: number) => (handedOut.add(port), port);

function ephemeralRangeStart(): number {
  try {
    const start = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(start) && start > 0 ? start : 32_768;
  } catch {
    return 32_768;
  }
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

function listenZero(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function which(binary: string, fallbacks: string[]): string {
  try {
    return execFileSync("sh", ["-c", `command -v ${binary}`], { encoding: "utf8" }).trim();
  } catch {
    const found = fallbacks.find((path) => existsSync(path));
    if (!found) throw new Error(`${binary} is not installed (apt-get install mariadb-server redis-server)`);
    return found;
  }
}

export async function waitFor(what: string, probe: () => Promise<unknown>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await probe();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what} did not come up: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** SIGTERM to a child this test support started, then waits for it to exit. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((resolve) => {
    child.once("exit", resolve);
    child.kill("SIGTERM");
  });
}

export interface MariaDb {
  url: string;
  port: number;
  dataDir: string;
  process: ChildProcess;
  /** Starts mariadbd again on the same data dir and port (after a kill). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A throwaway MariaDB: its own data dir under /tmp, loopback only, a random port. */
export async function startMariaDb(): Promise<MariaDb> {
  const dir = mkdtempSync(join(tmpdir(), "waymark-mariadb-"));
  const dataDir = join(dir, "data");
  execFileSync(
    which("mariadb-install-db", ["/usr/bin/mariadb-install-db"]),
    ["--user=root", `--datadir=${dataDir}`, "--auth-root-authentication-method=normal", "--skip-test-db"],
    { stdio: "ignore" },
  );
  const port = await freePort();
  const url = `mysql://root@127.0.0.1:${port}/mysql`;
  const launch = () =>
    spawn(
      which("mariadbd", ["/usr/sbin/mariadbd"]),
      [
        "--no-defaults",
        "--user=root",
        `--datadir=${dataDir}`,
        `--socket=${join(dir, "sock")}`,
        // Its own temporary files beside its data: /tmp is shared with every other process here.
        `--tmpdir=${dir}`,
        `--port=${port}`,
        "--bind-address=127.0.0.1",
        "--skip-name-resolve",
        "--innodb-buffer-pool-size=128M",
        "--max-connections=500",
        "--innodb-flush-log-at-trx-commit=2",
        "--skip-log-bin",
      ],
      { stdio: "ignore" },
    );
  const ready = () => waitFor("MariaDB", async () => (await createConnection({ uri: url })).end());
  const db: MariaDb = {
    url,
    port,
    dataDir,
    process: launch(),
    async restart() {
      db.process = launch();
      await ready();
    },
    async stop() {
      await stopChild(db.process);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await ready();
  return db;
}

export interface RedisServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** Starts redis-server again on the same port (after a kill). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A throwaway redis-server on a random loopback port, with persistence off. */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const launch = () =>
    spawn(which("redis-server", ["/usr/bin/redis-server"]), ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: "ignore",
    });
  const ready = () =>
    waitFor(
      "redis-server",
      () =>
        new Promise<void>((resolve, reject) => {
          const socket = createConnectionTcp(port, "127.0.0.1");
          socket.once("connect", () => (socket.end(), resolve()));
          socket.once("error", reject);
        }),
    );
  const redis: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    process: launch(),
    async restart() {
      redis.process = launch();
      await ready();
    },
    stop: () => stopChild(redis.process),
  };
  await ready();
  return redis;
}
