/**
 * A failure the user fixes by changing flags, the deployment file or the environment (exit code 2,
 * docs/design.md, "Retries and exit codes"). `problems` lists every individual issue so that one run shows all of them.
 */
export class UsageError extends Error {
  readonly exitCode = 2;

  constructor(
    summary: string,
    readonly problems: readonly string[] = [],
  ) {
    super(problems.length === 0 ? summary : `${summary}\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "UsageError";
  }
}

/**
 * The API answered with a GraphQL error (exit code 3): `code` is its `extensions.code`, printed as
 * `waymark: <CODE>: <message>`. `attempts` tells whether a lost earlier attempt may have applied a change.
 */
export class ApiError extends Error {
  readonly exitCode = 3;

  constructor(
    readonly code: string,
    message: string,
    readonly extensions: Readonly<Record<string, unknown>> = {},
    readonly attempts = 1,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/**
 * The API could not be reached, or answered with something that is not GraphQL (exit code 1).
 * `unsent`: no connection was made, so the request certainly did not reach the server.
 */
export class ConnectionError extends Error {
  readonly exitCode = 1;
  readonly unsent: boolean;

  constructor(
    readonly url: string,
    readonly reason: string,
    options: { unsent?: boolean } = {},
  ) {
    super(`cannot reach ${url}: ${reason}`);
    this.unsent = options.unsent ?? false;
    this.name = "ConnectionError";
  }
}

/** The server answered, but not with a GraphQL response: usually a wrong URL or a proxy's error page (exit code 1). */
export class BadResponseError extends Error {
  readonly exitCode = 1;

  constructor(
    readonly url: string,
    readonly status: number,
  ) {
    super(`${url} answered HTTP ${status} without a GraphQL response; is this the Waymark API URL?`);
    this.name = "BadResponseError";
  }
}
