import { closeSync, openSync, readSync } from "node:fs";
import { resolve } from "node:path";
import { UsageError } from "../errors";
import { checkDeployFileSize, decodeDeployFile } from "./parse";

/**
 * The deployment file's text, read no further than the size limit (parse.ts): a file that never
 * ends (`-f /dev/zero`, a pipe left open) is refused instead of read until memory runs out.
 */
export function readDeployFile(file: string, cwd: string): string {
  let fd: number;
  try {
    fd = openSync(resolve(cwd, file), "r");
  } catch (error) {
    throw cannotRead(file, error);
  }
  try {
    const chunks: Buffer[] = [];
    const chunk = Buffer.alloc(64 * 1024);
    let total = 0;
    for (let read = readSync(fd, chunk); read > 0; read = readSync(fd, chunk)) {
      total += read;
      checkDeployFileSize(total, file);
      chunks.push(Buffer.from(chunk.subarray(0, read)));
    }
    return decodeDeployFile(Buffer.concat(chunks, total), file);
  } catch (error) {
    throw error instanceof UsageError ? error : cannotRead(file, error);
  } finally {
    closeSync(fd);
  }
}

function cannotRead(file: string, error: unknown): UsageError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (code ?? String(error));
  return new UsageError(`cannot read ${file}: ${reason}`);
}
