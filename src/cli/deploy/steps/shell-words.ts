/**
 * How Prefect's `run_shell_script` reads one line of a script (src/prefect/deployments/steps/utility.py):
 * a line with shell operators outside quotes goes to `sh -c`; any other line is split into words as
 * Python's `shlex.split` (POSIX mode) splits it and run without a shell, so `$VAR` there stays literal.
 */

const SHELL_OPERATORS = /(?<!\|)\|(?!\|)|&&|\|\||;|>>?|</;

export function usesShellFeatures(line: string): boolean {
  const unquoted = line.replace(/'[^']*'/g, "").replace(/"[^"]*"/g, "");
  return SHELL_OPERATORS.test(unquoted);
}

/** `shlex.split(line)`: quotes, backslash escapes, no comments. Throws on an unclosed quote. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  const closing = (quote: string, from: number) => {
    const end = line.indexOf(quote, from);
    if (end < 0) throw new Error(`no closing quotation in: ${line}`);
    return end;
  };
  while (i < line.length) {
    const c = line.charAt(i);
    if (c === "'") {
      const end = closing("'", i + 1);
      word += line.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i += 1;
      for (;;) {
        if (i >= line.length) throw new Error(`no closing quotation in: ${line}`);
        const d = line.charAt(i);
        if (d === '"') break;
        const escaped = d === "\\" && (line.charAt(i + 1) === '"' || line.charAt(i + 1) === "\\");
        word += escaped ? line.charAt(i + 1) : d;
        i += escaped ? 2 : 1;
      }
      i += 1;
    } else if (c === "\\") {
      if (i + 1 >= line.length) throw new Error(`no escaped character in: ${line}`);
      word += line.charAt(i + 1);
      i += 2;
    } else if (" \t\r\n".includes(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      i += 1;
      continue;
    } else {
      word += c;
      i += 1;
    }
    inWord = true;
  }
  if (inWord) words.push(word);
  return words;
}

/** Python's `string.Template(text).safe_substitute(env)`: `$NAME`, `${NAME}`, `$$`; unknown names stay. */
export function expandEnvVars(text: string, env: Readonly<Record<string, string | undefined>>): string {
  return text.replace(/\$(?:(\$)|([_a-z][_a-z0-9]*)|\{([_a-z][_a-z0-9]*)\})/gi, (match, dollar?: string, named?: string, braced?: string) => {
    if (dollar) return "$";
    const value = env[named ?? braced ?? ""];
    return value === undefined ? match : value;
  });
}
