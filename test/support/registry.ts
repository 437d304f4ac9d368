import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, stopChild, waitFor, which } from "./processes";

export interface Registry {
  /** `127.0.0.1:<port>`, the prefix of image names pushed to it. */
  host: string;
  process: ChildProcess;
  /** The digest the registry serves for `repository:tag` (its Docker-Content-Digest). */
  digestOf(repository: string, tag: string): Promise<string | null>;
  stop(): Promise<void>;
}

const MANIFESTS = [
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
].join(", ");

/** A throwaway Docker registry (Debian's docker-registry): loopback, a random port, storage in a temp dir, no auth. */
export async function startRegistry(): Promise<Registry> {
  const dir = mkdtempSync(join(tmpdir(), "waymark-registry-"));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = join(dir, "config.yml");
  writeFileSync(config, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, "data")}\nhttp:\n  addr: ${host}\n`);
  const child = spawn(which("docker-registry", ["/usr/bin/docker-registry"]), ["serve", config], { stdio: "ignore" });
  await waitFor("docker-registry", async () => {
    const response = await fetch(`http://${host}/v2/`);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  });
  return {
    host,
    process: child,
    async digestOf(repository, tag) {
      const response = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, { method: "HEAD", headers: { accept: MANIFESTS } });
      return response.ok ? response.headers.get("docker-content-digest") : null;
    },
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
