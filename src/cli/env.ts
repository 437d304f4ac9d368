/** The environment as the CLI sees it; passed in rather than read from `process.env`, so tests are literal objects. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A variable's value, or null when unset or blank: CI systems export empty strings for "not applicable". */
export function envValue(env: Env, name: string): string | null {
  const value = env[name]?.trim();
  return value ? value : null;
}
