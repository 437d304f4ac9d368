/**
 * A failure the user fixes by changing flags, the deployment file or the environment (exit code 2,
 * SPEC §4). `problems` lists every individual issue so that one run shows all of them.
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
