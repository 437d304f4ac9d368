import type { IncomingMessage } from "node:http";

/**
 * Cross-site request forgery: a page of any origin can make a browser send a GET, or a POST
 * whose Content-Type is text/plain, a form's or multipart, without asking the server first
 * (a "simple request"). A GET is safe here: it runs queries only (a mutation over GET is refused
 * with 405), the page cannot read the answer unless CORS allows its origin, and keys travel in
 * the Authorization header, never in cookies, so the browser adds none on its own. A POST may
 * run a mutation, so it must be JSON: a page of another origin can only send that after a
 * preflight that CORS answers.
 */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? "").split(";", 1)[0]!.trim().toLowerCase();
}

/** Why a POST is refused before its body is read (HTTP 415), or null. */
export function postRefusal(req: IncomingMessage): string | null {
  if (req.method !== "POST" || mediaTypeOf(req.headers["content-type"]) === "application/json") return null;
  const given = req.headers["content-type"] ? `Content-Type "${req.headers["content-type"].slice(0, 100)}"` : "no Content-Type";
  return `A POST must be sent with Content-Type: application/json, not ${given} (a query may also be sent as a GET)`;
}
