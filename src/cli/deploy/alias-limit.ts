import type { Document } from "yaml";
import { UsageError } from "../errors";

/** Copies an alias may make in all: many deployments sharing definitions pass, a "billion laughs" file does not. */
const MAX_ALIAS_COPIES = 20_000;
/**
 * What the file may expand to once every alias is a copy (characters, plus 16 per value), as it
 * is when sent: a real file expands a few times over, one alias of a large string repeated
 * thousands of times would exhaust memory before any request.
 */
export const MAX_EXPANDED_SIZE = 64 * 1024 * 1024;

/** The document as plain values, refusing one whose aliases expand past either limit. */
export function toJsWithinAliasLimits(doc: Document, fileName: string): unknown {
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount: MAX_ALIAS_COPIES });
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    throw new UsageError(`${fileName}: its aliases expand too far (more than ${MAX_ALIAS_COPIES} copies); not read`);
  }
  if (!expandsWithin(root, MAX_EXPANDED_SIZE)) {
    throw new UsageError(`${fileName}: its aliases expand too far (to more than ${MAX_EXPANDED_SIZE / 1024 / 1024} MiB); not read`);
  }
  return root;
}

/** Walks the value as if every shared part were a copy, stopping as soon as the budget is spent. */
function expandsWithin(root: unknown, budget: number): boolean {
  const pending: unknown[] = [root];
  let size = 0;
  while (pending.length > 0) {
    const value = pending.pop();
    size += 16 + (typeof value === "string" ? value.length : 0);
    if (size > budget) return false;
    if (Array.isArray(value)) for (const item of value) pending.push(item);
    else if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) {
        size += key.length;
        pending.push(item);
      }
    }
  }
  return true;
}
