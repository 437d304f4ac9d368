/**
 * Input that must never be stored (SPEC §1 rule 8): secrets written literally, and `{{ $VAR }}`
 * templates the client failed to resolve. Each finding names the field it was found in.
 */

const UNRESOLVED_ENV = /\{\{\s*\$[A-Za-z_][A-Za-z0-9_]*\s*\}\}/;
const BLOCK_PLACEHOLDER = /^\{\{\s*prefect\.blocks\.[A-Za-z0-9_.-]+\s*\}\}$/;
const SECRET_KEYS = new Set(["access_token", "password", "credentials", "token", "private_key"]);
/** scheme://user:password@host — a password in a URL, wherever it appears. */
const URL_WITH_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^\s/@:]*:[^\s/@]+@/i;
/** Tokens of the big forges used as a URL's user name (https://ghp_…@github.com/…). */
const URL_WITH_TOKEN_USER = /\b[a-z][a-z0-9+.-]*:\/\/(gh[pousr]_|github_pat_|glpat-|x-access-token|oauth2)[^\s/@]*@/i;

export function unresolvedTemplates(value: unknown, path: string): string[] {
  return walkStrings(value, path).flatMap(([at, text]) => {
    const match = UNRESOLVED_ENV.exec(text);
    return match ? [`${at} contains the unresolved template ${match[0]}: resolve it before sending`] : [];
  });
}

export function secretsInUrls(value: unknown, path: string): string[] {
  return walkStrings(value, path).flatMap(([at, text]) =>
    URL_WITH_PASSWORD.test(text) || URL_WITH_TOKEN_USER.test(text)
      ? [`${at} contains a URL with credentials; use a {{ prefect.blocks.* }} credentials block instead`]
      : [],
  );
}

/** Secret-bearing keys of a pull step must hold a block placeholder, never the secret. */
export function literalSecretsInPullSteps(pullSteps: unknown[]): string[] {
  const problems: string[] = [];
  pullSteps.forEach((step, index) => {
    if (!isObject(step)) return;
    for (const [stepName, args] of Object.entries(step)) {
      if (!isObject(args)) continue;
      for (const [key, value] of Object.entries(args)) {
        if (!SECRET_KEYS.has(key) || value == null) continue;
        if (typeof value === "string" && BLOCK_PLACEHOLDER.test(value.trim())) continue;
        problems.push(`pullSteps[${index}].${stepName}.${key} must be a {{ prefect.blocks.* }} placeholder, not a literal secret`);
      }
    }
  });
  return problems;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every string inside a JSON value (keys included) with the path it sits at. */
export function walkStrings(value: unknown, path: string): Array<[string, string]> {
  if (typeof value === "string") return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((item, i) => walkStrings(item, `${path}[${i}]`));
  if (isObject(value)) {
    return Object.entries(value).flatMap(([key, item]) => [
      ...(walkStrings(key, `${path}.${key} (key)`)),
      ...walkStrings(item, `${path}.${key}`),
    ]);
  }
  return [];
}
