/**
 * Lengths in characters (Unicode code points), as the limits are stated and as MariaDB's utf8mb4
 * columns count them; a JavaScript string's `length` counts UTF-16 units, two for 😀. Cutting
 * by units could split such a pair and leave half of it, which no store keeps as sent.
 */

/** How many characters `text` holds. */
export function characterLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** The first `max` characters of `text`, never half of one. */
export function firstCharacters(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = 0;
  let count = 0;
  for (const character of text) {
    if (count === max) break;
    end += character.length;
    count++;
  }
  return text.slice(0, end);
}
