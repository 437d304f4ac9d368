import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codes, startServer, STORES, type TestServer } from "../support/server";
import { createVersion } from "../support/operations";

// Move targets as people say them: number, versionId, exact name (unique), a commit prefix of 7+
// characters (unique), or previous: n; and Deployment.version(number:).

const MOVE = `mutation($input: RollbackInput!) { rollback(input: $input) { change { liveVersion { number } } } }`;
const sha = (c: string) => c.repeat(40);

describe.each(STORES)("version addresses on %s", (store) => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer(store)));
  afterAll(() => server?.close());

  async function deployment(name: string) {
    const make = (version: string, commit: string) =>
      createVersion(server, { flowName: "addr", name, entrypoint: `f.py:${version}${commit}`, version, sourceInfo: { commitSha: commit } });
    const made = [
      await make("alpha", `abc1234${"0".repeat(33)}`),
      await make("dup", `abc1234f${"0".repeat(32)}`),
      await make("dup", sha("d")),
      await make("beta", sha("e")),
      await make("live", sha("f")),
    ];
    return { deploymentId: made[0]!.deployment.id, ids: made.map((m) => m.version.id) };
  }
  const dry = (deploymentId: string, address: Record<string, unknown>) => server.gql(MOVE, { input: { deploymentId, dryRun: true, ...address } });

  it("finds the target by number, versionId, name, commit prefix and previous", async () => {
    const { deploymentId, ids } = await deployment("ok");
    expect((await dry(deploymentId, { number: 2 })).data.rollback.change.liveVersion.number).toBe(2);
    expect((await dry(deploymentId, { versionId: ids[0] })).data.rollback.change.liveVersion.number).toBe(1);
    expect((await dry(deploymentId, { name: "beta" })).data.rollback.change.liveVersion.number).toBe(4);
    expect((await dry(deploymentId, { commitSha: "DDDDDDD" })).data.rollback.change.liveVersion.number).toBe(3);
    expect((await dry(deploymentId, { previous: 1 })).data.rollback.change.liveVersion.number).toBe(4);
    expect((await dry(deploymentId, { previous: 3 })).data.rollback.change.liveVersion.number).toBe(2);
    const version = await server.gql(`query($id: ID!) { deployment(id: $id) { version(number: 3) { version } none: version(number: 9) { number } } }`, {
      id: deploymentId,
    });
    expect(version.data.deployment).toEqual({ version: { version: "dup" }, none: null });
  });

  it("lists the candidates when a name or commit prefix is ambiguous, and refuses the rest", async () => {
    const { deploymentId } = await deployment("ambiguous");
    const byName = await dry(deploymentId, { name: "dup" });
    expect(codes(byName)).toEqual(["BAD_USER_INPUT"]);
    expect(byName.errors![0]!.message).toMatch(/2 versions are named "dup": 3 \(dup, dddddddddddd\), 2 \(dup, abc1234f0000\)/);
    expect(byName.errors![0]!.extensions!.candidates).toEqual([
      { id: expect.stringMatching(/^ver_/), number: 3, version: "dup", commitSha: sha("d") },
      { id: expect.stringMatching(/^ver_/), number: 2, version: "dup", commitSha: `abc1234f${"0".repeat(32)}` },
    ]);
    const byCommit = await dry(deploymentId, { commitSha: "abc1234" });
    expect(codes(byCommit)).toEqual(["BAD_USER_INPUT"]);
    expect(byCommit.errors![0]!.message).toMatch(/2 versions are with a commit starting abc1234: 2 \(dup, abc1234f0000\), 1 \(alpha, abc123400000\)/);
    expect((await dry(deploymentId, { commitSha: "abc12340" })).data.rollback.change.liveVersion.number).toBe(1);
    expect(codes(await dry(deploymentId, { commitSha: "abc123" }))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await dry(deploymentId, { name: "nope" }))).toEqual(["VERSION_NOT_FOUND"]);
    expect(codes(await dry(deploymentId, { previous: 9 }))).toEqual(["VERSION_NOT_FOUND"]);
    expect(codes(await dry(deploymentId, { name: "beta", number: 4 }))).toEqual(["BAD_USER_INPUT"]);
  });
});
