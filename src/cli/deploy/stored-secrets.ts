import { childPath, isPlainObject } from "../template";

/** Words that name a secret, in an environment variable's name or the key that holds its value. */
const SECRET_WORDS = new Set(["password", "passwd", "secret", "token", "credential", "credentials", "apikey", "privatekey"]);
const ENV_PLACEHOLDER = /\{\{\s*\$([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Whether a name says it holds a secret: `DB_PASSWORD`, `apiToken`, `private-key`, `API_KEY` (not `PWD`, the working directory). */
function namesASecret(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return words.some((word, i) => SECRET_WORDS.has(word) || SECRET_WORDS.has(`${word}${words[i + 1] ?? ""}`));
}

/**
 * `{{ $VAR }}` placeholders, in the fields a version stores, whose variable or key names a secret.
 * Their value is resolved here, in CI, and stored in the version history, which every key of the
 * workspace may read (Prefect stores it in the deployment alike). `stored` holds no pull steps: the
 * server refuses a literal secret under a secret-named key there, and a URL with a password. A block
 * placeholder is kept as written, for the worker.
 */
export function storedSecretWarnings(stored: Record<string, unknown>, path: string): string[] {
  const warnings: string[] = [];
  const walk = (value: unknown, at: string, key: string): void => {
    if (Array.isArray(value)) return value.forEach((item, i) => walk(item, `${at}[${i}]`, key));
    if (isPlainObject(value)) return Object.entries(value).forEach(([k, v]) => walk(v, childPath(at, k), k));
    if (typeof value !== "string") return;
    for (const [placeholder, variable] of value.matchAll(ENV_PLACEHOLDER)) {
      if (!namesASecret(variable!) && !namesASecret(key)) continue;
      warnings.push(
        `${at}: ${placeholder} is stored in the version history as its value, readable with any key of the workspace; ` +
          "give the worker a {{ prefect.blocks.secret.<name> }} placeholder instead (kept as written)",
      );
    }
  };
  for (const [key, value] of Object.entries(stored)) walk(value, childPath(path, key), key);
  return warnings;
}
