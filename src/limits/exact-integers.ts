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

const isDigit = (code: number) => code >= 48 && code <= 57;
/** Characters that may follow a number's integer digits within the number: `.`, `e`, `E`, `+`, `-`, digits. */
const isNumberPart = (code: number) => isDigit(code) || code === 46 || code === 101 || code === 69 || code === 43 || code === 45;

/** Where the string opened at `open` ends: the next quote not escaped by an odd run of backslashes (or the text's end). */
function closingQuote(text: string, open: number): number {
  for (let at = text.indexOf('"', open + 1); at !== -1; at = text.indexOf('"', at + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === 92) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  return text.length;
}

/**
 * The first integer in JSON `text` (outside its strings) that a double cannot hold exactly, or
 * null. One pass over the text, by character code: it runs on every request body and graphql-ws
 * message before authentication, so its cost must not depend on what the digits are.
 */
export function inexactJsonInteger(text: string): string | null {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 34) i = closingQuote(text, i);
    else if (code === 45 || isDigit(code)) {
      const start = i;
      if (code === 45) i++;
      const digitsFrom = i;
      while (i < text.length && isDigit(text.charCodeAt(i))) i++;
      const digitsEnd = i;
      while (i < text.length && isNumberPart(text.charCodeAt(i))) i++;
      // An integer: no fraction or exponent followed its digits.
      if (digitsEnd === i && digitsEnd - digitsFrom > SAFE_DIGITS && !isExact(text.slice(start, i))) return text.slice(start, i);
      i--;
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
