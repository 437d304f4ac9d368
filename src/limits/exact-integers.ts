import { GraphQLError } from "graphql";
import { ErrorCode } from "../errors";
import { isExactInteger as isExact } from "./exact-double";

/**
 * JSON numbers are read as doubles, which hold integers exactly only up to ±(2^53−1) (I-JSON,
 * RFC 7493): `9007199254740993` parses to 9007199254740992 and would be stored so, a silent
 * change to a parameter such as an id. The parsed value cannot tell, so the text is read: an
 * integer written with more digits than a double keeps is refused unless it is exactly one.
 * A number written with a fraction or an exponent is a double by its own writing, and passes.
 */

/** Digits a double holds exactly whatever they are (2^53 has 16); shorter integers are never checked. */
const SAFE_DIGITS = 15;
/** An integer token of JSON text, outside strings, long enough to need a check. */
const LONG_DIGITS = new RegExp(`\\d{${SAFE_DIGITS + 1}}`);

/** The first integer in JSON `text` (outside its strings) that a double cannot hold exactly, or null. */
export function inexactJsonInteger(text: string): string | null {
  if (!LONG_DIGITS.test(text)) return null;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "-" || (c >= "0" && c <= "9")) {
      let end = i + 1;
      while (end < text.length && /[0-9.eE+-]/.test(text[end]!)) end++;
      const token = text.slice(i, end);
      if (/^-?\d+$/.test(token) && token.replace("-", "").length > SAFE_DIGITS && !isExact(token)) return token;
      i = end - 1;
    }
  }
  return null;
}

/** The words both transports answer such an integer with, in the query or in JSON text. */
export function inexactIntegerMessage(integer: string): string {
  const shown = integer.length > 40 ? `${integer.slice(0, 40)}…` : integer;
  return `The integer ${shown} is beyond ±(2^53−1) and cannot be kept exactly; send it as a string`;
}

/** An integer literal of a GraphQL document (a JSON argument's) that a double cannot hold exactly. */
export const isInexactIntegerLiteral = (value: string): boolean => value.replace("-", "").length > SAFE_DIGITS && !isExact(value);

/** BAD_USER_INPUT for request JSON `text` carrying such an integer, or null. */
export function inexactIntegerError(text: string): GraphQLError | null {
  const integer = inexactJsonInteger(text);
  return integer
    ? new GraphQLError(`Invalid request: ${inexactIntegerMessage(integer)}`, { extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } } })
    : null;
}
