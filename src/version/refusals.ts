import { isJsonObject } from "../json-limits";

/**
 * Input that must never be stored (docs/design.md, "Refused input"): secrets written literally, and `{{ $VAR }}`
 * templates the client failed to resolve. Each finding names the field it was found in.
 */

const UNRESOLVED_ENV = /\{\{\s*\$([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const BLOCK_PLACEHOLDER = /^\{\{\s*prefect\.blocks\.[A-Za-z0-9_.-]+\s*\}\}$/;
/** scheme://user:password@host — a password in a URL, wherever it appears. */
const URL_WITH_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^\s/@:]*:[^\s/@]+@/i;
/** Tokens of the big forges used as a URL's user name (https://ghp_…@github.com/…). */
const URL_WITH_TOKEN_USER = /\b[a-z][a-z0-9+.-]*:\/\/(gh[pousr]_|github_pat_|glpat-|x-access-token|oauth2)[^\s/@]*@/i;

// Most strings have neither "{{" nor "://": the regular expressions are skipped for them.
const templateProblem = (text: string, at: () => string, kept: ReadonlySet<string>): string | null => {
  if (!text.includes("{{")) return null;
  const match = [...text.matchAll(UNRESOLVED_ENV)].find((m) => !kept.has(m[1] ?? ""));
  return match ? `${at()} contains the unresolved template ${match[0]}: resolve it before sending` : null;
};

const urlProblem = (text: string, at: () => string): string | null =>
  text.includes("://") && (URL_WITH_PASSWORD.test(text) || URL_WITH_TOKEN_USER.test(text))
    ? `${at()} contains a URL with credentials; use a {{ prefect.blocks.* }} credentials block instead`
    : null;

/**
 * Both checks over every string of a value (keys included) in one walk: this runs on every
 * createVersion input. A string's path is only spelled out when it has a problem. `kept` names the
 * variables whose `{{ $NAME }}` the client left on purpose for the worker (pull steps only).
 */
export function stringProblems(value: unknown, path: string, kept: ReadonlySet<string> = new Set()): { templates: string[]; urls: string[] } {
  const found = { templates: [] as string[], urls: [] as string[] };
  const check = (text: string, at: () => string) => {
    const template = templateProblem(text, at, kept);
    if (template) found.templates.push(template);
    const url = urlProblem(text, at);
    if (url) found.urls.push(url);
  };
  const walk = (item: unknown, at: () => string): void => {
    if (typeof item === "string") check(item, at);
    else if (Array.isArray(item)) item.forEach((element, i) => walk(element, () => `${at()}[${i}]`));
    else if (isJsonObject(item)) {
      for (const key of Object.keys(item)) {
        check(key, () => `${at()}.${key} (key)`);
        walk(item[key], () => `${at()}.${key}`);
      }
    }
  };
  walk(value, () => path);
  return found;
}

/** A key name as compared with SECRET_KEYS: `Access-Token`, `ACCESS_TOKEN` and `accessToken` are one name. */
const secretKeyName = (key: string) => key.toLowerCase().replace(/[-_]/g, "");
const SECRET_KEYS = new Set(["access_token", "password", "credentials", "token", "private_key"].map(secretKeyName));

/**
 * Secret-bearing keys of a pull step must hold a block placeholder, never the secret: at any
 * depth of the step's arguments (a nested `auth: { password }` is as literal as a top-level one).
 */
export function literalSecretsInPullSteps(pullSteps: unknown[]): string[] {
  const problems: string[] = [];
  const walk = (item: unknown, at: string): void => {
    if (Array.isArray(item)) return item.forEach((element, i) => walk(element, `${at}[${i}]`));
    if (!isJsonObject(item)) return;
    for (const [key, value] of Object.entries(item)) {
      if (!SECRET_KEYS.has(secretKeyName(key))) walk(value, `${at}.${key}`);
      else if (value != null && !(typeof value === "string" && BLOCK_PLACEHOLDER.test(value.trim()))) {
        problems.push(`${at}.${key} must be a {{ prefect.blocks.* }} placeholder, not a literal secret`);
      }
    }
  };
  pullSteps.forEach((step, index) => {
    if (!isJsonObject(step)) return;
    for (const [stepName, args] of Object.entries(step)) if (isJsonObject(args)) walk(args, `pullSteps[${index}].${stepName}`);
  });
  return problems;
}
