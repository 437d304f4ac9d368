import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConnection } from "mysql2/promise";
import { freePort, waitFor, which } from "./processes";

const PROVIDER = "/usr/lib/galera/libgalera_smm.so";

export interface GaleraNode {
  index: number;
  /** Admin URL of this node (root over TCP, database `mysql`). */
  url: string;
  port: number;
  process: ChildProcess;
  /** The node's error log so far (where Galera reports its state changes). */
  log(): string;
  /** SIGKILL: the node leaves the cluster without a word, as a crashed host would. */
  kill(): Promise<void>;
  /** Starts the node again on its data dir; it rejoins the cluster (IST or SST) and resolves once Synced. */
  restart(): Promise<void>;
}

export interface GaleraCluster {
  nodes: GaleraNode[];
  stop(): Promise<void>;
}

interface Ports {
  mysql: number;
  gcomm: number;
  ist: number;
  sst: number;
}

function myCnf(dir: string, ports: Ports, all: Ports[], index: number): string {
  const address = all.map((p) => `127.0.0.1:${p.gcomm}`).join(",");
  return `[mariadbd]
datadir=${join(dir, "data")}
socket=${join(dir, "sock")}
pid-file=${join(dir, "mariadbd.pid")}
log-error=${join(dir, "error.log")}
port=${ports.mysql}
bind-address=127.0.0.1
skip-name-resolve
max-connections=500
innodb-buffer-pool-size=64M
innodb-log-file-size=48M
innodb-flush-log-at-trx-commit=2
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
wsrep_on=ON
wsrep_provider=${PROVIDER}
wsrep_cluster_name=waymark_test
wsrep_cluster_address=gcomm://${address}
wsrep_node_name=node${index + 1}
wsrep_node_address=127.0.0.1
wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:${ports.gcomm};ist.recv_addr=127.0.0.1:${ports.ist};gcache.size=64M;evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S;evs.install_timeout=PT6S"
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:${ports.sst}
wsrep_slave_threads=2
`;
}

async function synced(url: string): Promise<void> {
  const connection = await createConnection({ uri: url, connectTimeout: 2000 });
  try {
    const [rows] = (await connection.query("SHOW STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_local_state', 'wsrep_cluster_size')")) as unknown as [
      Array<{ Variable_name: string; Value: string }>,
    ];
    const status = Object.fromEntries(rows.map((r) => [r.Variable_name, r.Value]));
    if (status.wsrep_ready !== "ON" || status.wsrep_local_state !== "4") throw new Error(`not synced: ${JSON.stringify(status)}`);
  } finally {
    await connection.end();
  }
}

/**
 * A throwaway 3-node MariaDB Galera cluster on loopback (Debian's galera-4, rsync SST). Each node
 * has its own data dir, my.cnf and ports; mariadbd runs as `mysql` because the rsync SST runs as
 * that user and must own the data dirs. The first node bootstraps the cluster, the others join it.
 */
export async function startGaleraCluster(size = 3): Promise<GaleraCluster> {
  if (!existsSync(PROVIDER)) throw new Error(`${PROVIDER} is missing (apt-get install galera-4 rsync)`);
  const root = mkdtempSync(join(tmpdir(), "waymark-galera-"));
  chmodSync(root, 0o755); // mysql must reach the nodes' dirs
  const ports: Ports[] = [];
  for (let i = 0; i < size; i++) ports.push({ mysql: await freePort(), gcomm: await freePort(), ist: await freePort(), sst: await freePort() });
  const mariadbd = which("mariadbd", ["/usr/sbin/mariadbd"]);
  const nodes: GaleraNode[] = [];
  for (let i = 0; i < size; i++) {
    const dir = join(root, `node${i + 1}`);
    mkdirSync(dir);
    writeFileSync(join(dir, "my.cnf"), myCnf(dir, ports[i]!, ports, i));
    mkdirSync(join(dir, "data"));
    execFileSync("chown", ["-R", "mysql:mysql", dir]);
    if (i === 0) {
      execFileSync(
        which("mariadb-install-db", ["/usr/bin/mariadb-install-db"]),
        [`--defaults-file=${join(dir, "my.cnf")}`, "--user=mysql", "--auth-root-authentication-method=normal", "--skip-test-db", "--wsrep-on=OFF"],
        { stdio: "ignore" },
      );
    }
    // A joiner starts with an empty data dir: it receives the donor's whole data dir (SST).
    const url = `mysql://root@127.0.0.1:${ports[i]!.mysql}/mysql`;
    const launch = (bootstrap: boolean) =>
      spawn(mariadbd, [`--defaults-file=${join(dir, "my.cnf")}`, "--user=mysql", ...(bootstrap ? ["--wsrep-new-cluster"] : [])], { stdio: "ignore" });
    const node: GaleraNode = {
      index: i,
      url,
      port: ports[i]!.mysql,
      process: launch(i === 0),
      log: () => (existsSync(join(dir, "error.log")) ? readFileSync(join(dir, "error.log"), "utf8") : ""),
      async kill() {
        if (node.process.exitCode !== null || node.process.signalCode !== null) return;
        await new Promise((resolve) => {
          node.process.once("exit", resolve);
          node.process.kill("SIGKILL");
        });
      },
      async restart() {
        node.process = launch(false);
        await waitFor(`Galera node ${i + 1} (rejoin)`, () => synced(url), 120_000);
      },
    };
    nodes.push(node);
    // One joiner at a time: two SSTs from one donor at once only slow each other down.
    await waitFor(`Galera node ${i + 1}`, () => synced(url), 120_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${node.log().slice(-3000)}`);
    });
  }
  return {
    nodes,
    async stop() {
      for (const node of [...nodes].reverse()) {
        if (node.process.exitCode !== null || node.process.signalCode !== null) continue;
        await new Promise((resolve) => {
          const timer = setTimeout(() => node.process.kill("SIGKILL"), 30_000);
          node.process.once("exit", () => (clearTimeout(timer), resolve(undefined)));
          node.process.kill("SIGTERM");
        });
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
