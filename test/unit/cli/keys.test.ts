import { describe, expect, it } from "vitest";
import { collectScopes } from "../../../src/cli/commands/keys";
import { formatCreatedKey, formatKeyList, formatRevoked } from "../../../src/cli/format/keys";
import type { ApiKeyInfo } from "../../../src/cli/operations";
import { run } from "../../../src/cli/run";
import { noGit } from "./fake-git";
import { data, fakeFetch, gqlError, type Reply } from "./fake-fetch";

const SECRET = "wm_Zq8v3kR1xYp0s7LmN2bC4dF6gH8jK0lQ1wE3rT5yU7i";
const ADMIN = "wm_admin-key-for-the-unit-tests-000";

const apiKey: ApiKeyInfo = {
  id: "key_7",
  name: "github-actions",
  prefix: SECRET.slice(0, 10),
  scopes: ["deploy", "release"],
  createdAt: "2026-01-02T03:04:05.000Z",
  createdBy: "bootstrap-admin",
  revokedAt: null,
};
const created = { key: SECRET, apiKey };
/** A key as the API answers it: scopes in upper case (the CLI shows them in lower case). */
const asApi = (key: ApiKeyInfo) => ({ ...key, scopes: key.scopes.map((scope) => scope.toUpperCase()) });
const createdReply = { key: SECRET, apiKey: asApi(apiKey) };
const revoked: ApiKeyInfo = { ...apiKey, id: "key_8", name: "old-ci", scopes: ["read"], revokedAt: "2026-02-01T00:00:00.000Z" };

/** The CLI in-process with a scripted fetch and captured output. */
async function cli(argv: string[], replies: Reply[] = [], env: Record<string, string> = { WAYMARK_API_URL: "http://w.test", WAYMARK_API_KEY: ADMIN }) {
  const fetch = fakeFetch(...replies);
  let stdout = "";
  let stderr = "";
  const io = { env, cwd: "/", fetch, git: noGit, sleep: async () => {}, stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t) };
  const code = await run(argv, io);
  return { code, stdout, stderr, requests: fetch.requests };
}

/** How often the secret appears in `text`. */
const count = (text: string, what = SECRET) => text.split(what).length - 1;

describe("waymark keys create", () => {
  it("sends the name and every scope given, repeated or comma-separated, and prints the key once with the note", async () => {
    const { code, stdout, stderr, requests } = await cli(
      ["keys", "create", "github-actions", "--scope", "deploy", "--scope", "Release,deploy"],
      [data({ createApiKey: createdReply })],
    );
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(requests).toHaveLength(1);
    expect(requests[0]?.url).toBe("http://w.test/graphql");
    expect(requests[0]?.headers.authorization).toBe(`Bearer ${ADMIN}`);
    expect(requests[0]?.body.query).toContain("createApiKey(input: $input)");
    expect(requests[0]?.body.variables).toEqual({ input: { name: "github-actions", scopes: ["DEPLOY", "RELEASE"] } });
    expect(count(stdout)).toBe(1);
    expect(stdout).toContain(`\n  ${SECRET}\n`);
    expect(stdout).toContain('Created API key "github-actions" (id key_7; scopes deploy, release; prefix wm_Zq8v3kR…)');
    expect(stdout).toContain("This is the only time the key is shown");
  });

  it("prints {key, apiKey} with --json", async () => {
    const { code, stdout } = await cli(["keys", "create", "ci", "--scope", "deploy", "--json"], [data({ createApiKey: createdReply })]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ key: SECRET, apiKey });
  });

  it.each([
    [["keys", "create", "ci"], /required option '--scope <scope>' not specified/],
    [["keys", "create", "ci", "--scope", "write"], /argument 'write' is invalid\. expected read, deploy, release, admin/],
    [["keys", "create", "ci", "--scope", "deploy,"], /expected read, deploy, release, admin/],
    [["keys", "create", "--scope", "read"], /missing required argument 'NAME'/],
    [["keys", "create", " ", "--scope", "read"], /the key name must not be blank/],
  ])("%j exits 2 before any request", async (argv, message) => {
    const { code, stderr, requests } = await cli(argv, [data({ createApiKey: createdReply })]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(requests).toEqual([]);
  });

  it("retries when the connection was refused, as nothing was sent", async () => {
    const { code, stdout, requests } = await cli(
      ["keys", "create", "ci", "--scope", "read"],
      [{ fail: "ECONNREFUSED" }, { fail: "ECONNREFUSED" }, data({ createApiKey: createdReply })],
    );
    expect(code).toBe(0);
    expect(requests).toHaveLength(3);
    expect(count(stdout)).toBe(1);
  });

  it.each<[string, Reply, number]>([
    ["a reset connection", { fail: "ECONNRESET" }, 1],
    ["a timeout", { fail: "ETIMEDOUT" }, 1],
    ["a gateway error", { status: 502, text: "<html>Bad gateway</html>" }, 1],
    ["UNAVAILABLE", gqlError("UNAVAILABLE", "The database is unavailable; retry shortly."), 3],
  ])("does not repeat the request after %s, and says the key may exist", async (_what, reply, exitCode) => {
    const { code, stdout, stderr, requests } = await cli(["keys", "create", "ci", "--scope", "read"], [reply, data({ createApiKey: createdReply })]);
    expect(code).toBe(exitCode);
    expect(requests).toHaveLength(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^waymark: .+; the key may have been created all the same \(not retried, .+\): see `waymark keys list`, .+\n$/);
  });

  it("reports an API refusal as it is, with no hint (exit 3)", async () => {
    const { code, stderr, requests } = await cli(["keys", "create", "ci", "--scope", "admin"], [gqlError("FORBIDDEN", "This needs the admin scope")]);
    expect(code).toBe(3);
    expect(stderr).toBe("waymark: FORBIDDEN: This needs the admin scope\n");
    expect(requests).toHaveLength(1);
  });

  it("does not print the key it authenticates with in an error", async () => {
    const { stderr } = await cli(["keys", "create", "ci", "--scope", "read"], [{ fail: "ECONNRESET" }]);
    expect(stderr).not.toContain(ADMIN);
  });
});

describe("waymark keys list and revoke", () => {
  it("lists every key with its prefix, scopes and revocation, and no secret", async () => {
    const { code, stdout, requests } = await cli(["keys", "list"], [data({ apiKeys: [asApi(apiKey), asApi(revoked)] })]);
    expect(code).toBe(0);
    expect(requests[0]?.body.query).toContain("apiKeys");
    expect(stdout).toContain("2 API key(s) in this workspace, 1 revoked:");
    expect(stdout).toMatch(/^ {2}ID +NAME +PREFIX +SCOPES +CREATED AT +CREATED BY +REVOKED AT$/m);
    expect(stdout).toMatch(/^ {2}key_7 +github-actions +wm_Zq8v3kR… +deploy,release +2026-01-02T03:04:05\.000Z +bootstrap-admin +-$/m);
    expect(stdout).toMatch(/^ {2}key_8 +old-ci +wm_Zq8v3kR… +read +\S+ +bootstrap-admin +2026-02-01T00:00:00\.000Z$/m);
    expect(count(stdout)).toBe(0);
  });

  it("prints {apiKeys} with --json", async () => {
    const { stdout } = await cli(["keys", "list", "--json"], [data({ apiKeys: [asApi(apiKey)] })]);
    expect(JSON.parse(stdout)).toEqual({ apiKeys: [apiKey] });
  });

  it("says FORBIDDEN for a key without the admin scope (exit 3)", async () => {
    const { code, stdout, stderr } = await cli(["keys", "list"], [gqlError("FORBIDDEN", "This needs the admin scope")]);
    expect({ code, stdout }).toEqual({ code: 3, stdout: "" });
    expect(stderr).toBe("waymark: FORBIDDEN: This needs the admin scope\n");
  });

  it("revokes by id, and says so", async () => {
    const { code, stdout, requests } = await cli(["keys", "revoke", "key_8"], [data({ revokeApiKey: { apiKey: asApi(revoked) } })]);
    expect(code).toBe(0);
    expect(requests[0]?.body.variables).toEqual({ input: { id: "key_8" } });
    expect(stdout).toBe(
      'Revoked API key "old-ci" (id key_8; scopes read; prefix wm_Zq8v3kR…) at 2026-02-01T00:00:00.000Z: it no longer works, open subscriptions included.\n',
    );
    const json = await cli(["keys", "revoke", "key_8", "--json"], [data({ revokeApiKey: { apiKey: asApi(revoked) } })]);
    expect(JSON.parse(json.stdout)).toEqual(revoked);
  });

  it("retries a revoke after a reset connection: it is idempotent", async () => {
    const { code, requests } = await cli(["keys", "revoke", "key_8"], [{ fail: "ECONNRESET" }, data({ revokeApiKey: { apiKey: asApi(revoked) } })]);
    expect(code).toBe(0);
    expect(requests).toHaveLength(2);
  });

  it("refuses a pasted secret as the id without sending or echoing it (exit 2)", async () => {
    const { code, stderr, requests } = await cli(["keys", "revoke", SECRET]);
    expect(code).toBe(2);
    expect(stderr).toContain("that is a key itself, not its id");
    expect(count(stderr)).toBe(0);
    expect(requests).toEqual([]);
  });
});

describe("waymark workspaces create", () => {
  const workspace = { name: "team-a", key: SECRET, apiKey: { ...apiKey, id: "key_9", name: "team-a-admin", scopes: ["admin"] as ApiKeyInfo["scopes"] } };

  it("creates the workspace and prints its admin key once", async () => {
    const { code, stdout, requests } = await cli(
      ["workspaces", "create", "team-a"],
      [data({ createWorkspace: { ...workspace, apiKey: asApi(workspace.apiKey) } })],
    );
    expect(code).toBe(0);
    expect(requests[0]?.body.variables).toEqual({ input: { name: "team-a" } });
    expect(stdout).toContain('Created workspace "team-a" with its first admin key "team-a-admin" (id key_9; scopes admin;');
    expect(count(stdout)).toBe(1);
    expect(stdout).toContain("This is the only time the key is shown");
  });

  it("prints {name, key, apiKey} with --json", async () => {
    const { stdout } = await cli(["workspaces", "create", "team-a", "--json"], [data({ createWorkspace: { ...workspace, apiKey: asApi(workspace.apiKey) } })]);
    expect(JSON.parse(stdout)).toEqual(workspace);
  });

  it("does not repeat the request after a reset connection, and says what to check", async () => {
    const { code, stderr, requests } = await cli(
      ["workspaces", "create", "team-a"],
      [{ fail: "ECONNRESET" }, data({ createWorkspace: { ...workspace, apiKey: asApi(workspace.apiKey) } })],
    );
    expect(code).toBe(1);
    expect(requests).toHaveLength(1);
    expect(stderr).toMatch(/^waymark: cannot reach http:\/\/w\.test\/graphql: connection reset; the workspace may have been created all the same .+\n$/);
  });

  it("reports a duplicate name as the API's error (exit 3)", async () => {
    const { code, stderr } = await cli(["workspaces", "create", "team-a"], [gqlError("BAD_USER_INPUT", 'A workspace named "team-a" already exists')]);
    expect(code).toBe(3);
    expect(stderr).toBe('waymark: BAD_USER_INPUT: A workspace named "team-a" already exists\n');
  });
});

describe("keys and workspaces usage", () => {
  it.each([[["keys", "--help"]], [["keys", "create", "--help"]], [["help", "keys"]], [["keys", "list", "--help"]], [["workspaces", "create", "--help"]]])(
    "%j exits 0",
    async (argv) => {
      const { code, stdout } = await cli(argv);
      expect(code).toBe(0);
      expect(stdout).toContain("Usage: waymark");
    },
  );

  it.each([[["keys"]], [["keys", "rotate"]], [["keys", "revoke"]], [["workspaces"]], [["workspaces", "create"]], [["keys", "list", "extra"]]])(
    "%j exits 2",
    async (argv) => {
      const { code, requests } = await cli(argv);
      expect(code).toBe(2);
      expect(requests).toEqual([]);
    },
  );
});

describe("collectScopes and the key formats", () => {
  it("collects, lower-cases and de-duplicates scopes", () => {
    expect(collectScopes("deploy", undefined)).toEqual(["deploy"]);
    expect(collectScopes(" READ , release", ["deploy"])).toEqual(["deploy", "read", "release"]);
    expect(() => collectScopes("", undefined)).toThrow(/expected read, deploy, release, admin/);
    expect(() => collectScopes("deploy,owner", undefined)).toThrow(/expected/);
  });

  it("shows the secret only in the creation output", () => {
    expect(count(formatCreatedKey(created))).toBe(1);
    expect(count(formatKeyList([apiKey, revoked]))).toBe(0);
    expect(count(formatRevoked(revoked))).toBe(0);
  });

  it("says when there are no keys", () => {
    expect(formatKeyList([])).toBe("No API keys in this workspace.\n");
  });
});
