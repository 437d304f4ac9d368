/**
 * The least any HTTP server in front of these writes can cost: a bare node:http server that
 * reads the same GraphQL POST the load generator sends the real server, takes the deployment
 * from its variables and runs the raw client's transaction in the server's statement shape
 * (raw-writes.ts), then answers a small JSON body. No GraphQL, no authentication, no validation,
 * no audit of anything but what the statements do. B2 runs it as a process of its own so that
 * its CPU is counted apart, as the server's is: the ratio it reaches is the ceiling of any
 * server on these cores, whatever it does between HTTP and MariaDB.
 *
 * Run as a child: `node bare-front.js <database url> <workspace id> <port>`; prints "listening".
 */
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { createPool, type Pool } from "mysql2/promise";
import { freePort } from "../../test/support/processes";
import { rawCreateServerShape, rawMoveServerShape, type Row } from "./raw-writes";

/** Starts the bare front on a free loopback port, on the database at `dbUrl`, for the deployments of `workspace`. */
export async function startBareFront(dbUrl: string, workspace: number): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [__filename, dbUrl, String(workspace), String(port)], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  await new Promise<void>((ready, fail) => {
    child.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("listening") && ready());
    child.once("exit", (code) => fail(new Error(`the bare front exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

async function serve() {
  const [dbUrl, workspaceArg, portArg] = process.argv.slice(2);
  const workspace = Number(workspaceArg);
  const pool: Pool = createPool({ uri: dbUrl!, connectionLimit: 10 });
  pool.on("connection", (c) => c.query("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED"));
  const [[template]] = await pool.query<Row[]>(
    "SELECT v.* FROM deployment_version v JOIN deployment d ON d.id = v.deployment_id WHERE d.workspace_id = ? LIMIT 1",
    [workspace],
  );
  const create = rawCreateServerShape(pool, workspace, template!);
  const move = rawMoveServerShape(pool, workspace);
  const keyOf = (id: string) => Number(id.slice(4));

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const answer = (status: number, body: unknown) => {
        const text = JSON.stringify(body);
        res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text);
      };
      let work: Promise<void>;
      let field: string;
      try {
        const { query, variables } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { query: string; variables: Record<string, any> };
        if (query.startsWith("mutation C")) {
          field = "createVersion";
          work = create(keyOf(variables.input.deploymentId));
        } else {
          field = query.startsWith("mutation R") ? "rollback" : "promote";
          work = move(keyOf(variables.id), field === "rollback" ? "ROLLBACK" : "PROMOTE");
        }
      } catch (error) {
        answer(400, { errors: [{ message: String(error) }] });
        return;
      }
      work.then(
        () => answer(200, { data: { [field]: { change: { sequence: 0 } } } }),
        (error: unknown) => answer(200, { errors: [{ message: String(error) }] }),
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(portArg), "127.0.0.1", () => console.log("listening"));
  process.on("SIGTERM", () => {
    server.close();
    server.closeAllConnections();
    void pool.end().then(() => process.exit(0));
  });
}

if (require.main === module) void serve();
