import { envValue, type Env } from "./env";
import { UsageError } from "./errors";

export const DEFAULT_API_URL = "http://127.0.0.1:4000/graphql";

/**
 * The GraphQL endpoint from what a user may write: with or without the `/graphql` suffix (docs/design.md, "Deployment files and templates"),
 * with or without a trailing slash. A base path behind a proxy (`https://host/waymark`) is kept, and
 * `/graphql` is appended to it. Credentials in the URL are refused: the key belongs in WAYMARK_API_KEY,
 * where it is sent as a header and never printed with the URL in error messages.
 */
export function normalizeApiUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new UsageError(`API URL "${raw}" is not a URL; expected e.g. ${DEFAULT_API_URL}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`API URL "${raw}" must start with http:// or https://`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new UsageError("the API URL must not contain credentials; pass the key with --api-key or WAYMARK_API_KEY");
  }
  const path = url.pathname.replace(/\/+$/, "");
  url.pathname = path.endsWith("/graphql") ? path : `${path}/graphql`;
  url.hash = "";
  return url.toString();
}

/** `--api-url`, else WAYMARK_API_URL, else the local default; normalised. */
export function apiUrlFrom(flag: string | undefined, env: Env): string {
  return normalizeApiUrl(flag ?? envValue(env, "WAYMARK_API_URL") ?? DEFAULT_API_URL);
}

/** `--api-key`, else WAYMARK_API_KEY; null when neither is set (the server may run with auth off). */
export function apiKeyFrom(flag: string | undefined, env: Env): string | null {
  const key = flag?.trim() || envValue(env, "WAYMARK_API_KEY");
  return key ? key : null;
}
