import { InvalidArgumentError, type Command } from "commander";
import { UsageError } from "../errors";
import { formatCreatedKey, formatKeyList, formatRevoked } from "../format/keys";
import type { CliIo } from "../io";
import { API_KEYS, CREATE_API_KEY, fromApiKey, KEY_SCOPES, REVOKE_API_KEY, toApiScope, type KeyScope } from "../operations";
import { clientFrom, toJson, withApiOptions, type ApiOptions } from "./api-options";
import { createOnce } from "./create-once";

interface CreateOptions extends ApiOptions {
  scope: KeyScope[];
}

const SCOPE_HELP =
  "read: queries; deploy: deploy (and read); release: rollback, promote (and read); admin: keys and everything. " +
  "Repeat it, or separate with commas, for several";

/** `--scope deploy --scope release` or `--scope deploy,release`, in any case; an unknown scope is a usage error. */
export function collectScopes(value: string, previous: readonly KeyScope[] | undefined): KeyScope[] {
  const scopes = value.split(",").map((s) => s.trim().toLowerCase());
  if (!scopes.every((s): s is KeyScope => (KEY_SCOPES as readonly string[]).includes(s))) {
    throw new InvalidArgumentError(`expected ${KEY_SCOPES.join(", ")}`);
  }
  return [...new Set([...(previous ?? []), ...scopes])];
}

export function registerKeys(program: Command, io: CliIo): void {
  const keys = program.command("keys").description("create, list and revoke your workspace's API keys (needs an admin key)");

  const create = keys
    .command("create")
    .description("create an API key and print it, once: the server keeps only its hash")
    .argument("<NAME>", "who acts with the key, e.g. github-actions or alice; recorded as createdBy and actor")
    .requiredOption("--scope <scope>", SCOPE_HELP, collectScopes)
    .addHelpText(
      "after",
      "\nThe key is printed only here; with --json as {key, apiKey}. It is not retried after a network error that may have reached the server.",
    );
  withApiOptions(create).action((name: string, options: CreateOptions) => createKey(name, options, io));

  const list = keys.command("list").description("list the workspace's API keys, revoked ones included (never their secrets)");
  withApiOptions(list).action((options: ApiOptions) => listKeys(options, io));

  const revoke = keys
    .command("revoke")
    .description("revoke an API key: it stops working at once, open subscriptions included")
    .argument("<ID>", "the key's id (key_…), as `waymark keys list` shows it");
  withApiOptions(revoke).action((id: string, options: ApiOptions) => revokeKey(id, options, io));
}

async function createKey(name: string, options: CreateOptions, io: CliIo): Promise<void> {
  if (name.trim() === "") throw new UsageError("the key name must not be blank");
  const client = clientFrom(options, io);
  const hint =
    "the key may have been created all the same (not retried, as a repeat could create a second one): " +
    "see `waymark keys list`, and revoke a key nobody holds";
  const data = await createOnce(client, CREATE_API_KEY, { input: { name, scopes: options.scope.map(toApiScope) } }, hint);
  const created = { ...data.createApiKey, apiKey: fromApiKey(data.createApiKey.apiKey) };
  io.stdout(options.json ? toJson(created) : formatCreatedKey(created));
}

async function listKeys(options: ApiOptions, io: CliIo): Promise<void> {
  const apiKeys = (await clientFrom(options, io).request(API_KEYS, {})).apiKeys.map(fromApiKey);
  io.stdout(options.json ? toJson({ apiKeys }) : formatKeyList(apiKeys));
}

async function revokeKey(id: string, options: ApiOptions, io: CliIo): Promise<void> {
  // A pasted secret is refused here, without echoing it, rather than sent where it might be logged.
  if (id.trim().startsWith("wm_")) throw new UsageError("that is a key itself, not its id: give the id (key_…) that `waymark keys list` shows");
  const client = clientFrom(options, io);
  // Idempotent: revoking a revoked key answers it unchanged, so the client's usual retries are safe.
  const data = await client.request(REVOKE_API_KEY, { input: { id: id.trim() } });
  const revoked = fromApiKey(data.revokeApiKey.apiKey);
  io.stdout(options.json ? toJson(revoked) : formatRevoked(revoked));
}
