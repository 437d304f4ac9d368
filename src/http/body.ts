import type { IncomingMessage, ServerResponse } from "node:http";

export class BodyTooLarge extends Error {}
export class BodyNotUtf8 extends Error {}

// Fatal: a body that is not UTF-8 is refused rather than stored with replacement characters.
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads a request body, refusing it as soon as it passes `limit` bytes. A refused body is left
 * unread, and reading stops: the caller answers and closes the connection (`refuseOversized`),
 * so a client cannot make the server swallow gigabytes after its answer. A client that asked
 * to be told first (`Expect: 100-continue`, as curl does for bodies over 1 MB) is sent
 * `100 Continue` only once its declared size is within the limit; otherwise its first answer is
 * the 413, before it has sent any of the body (the server does not answer 100 by itself: see
 * http-server.ts).
 */
export function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const refuse = () => {
      req.removeAllListeners("data").removeAllListeners("end");
      req.pause();
      reject(new BodyTooLarge());
    };
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) return refuse();
    if (/^\s*100-continue\s*$/i.test(req.headers.expect ?? "")) res.writeContinue();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return refuse();
      chunks.push(chunk);
    });
    req.on("end", () => {
      try {
        resolve(utf8.decode(Buffer.concat(chunks)));
      } catch {
        reject(new BodyNotUtf8());
      }
    });
    req.on("error", reject);
  });
}

/**
 * Sends the answer to a refused body with `Connection: close`, then destroys the socket once the
 * answer is handed to the kernel: the rest of the body is never read (Node would otherwise read
 * and discard all of it to keep the connection alive).
 */
export function refuseOversized(req: IncomingMessage, res: ServerResponse, send: () => void): void {
  res.setHeader("connection", "close");
  res.once("finish", () => req.socket.destroy());
  send();
}
