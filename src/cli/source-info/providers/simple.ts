import { sourceInfo } from "../build";
import type { SourceProvider } from "../types";

export const simple: SourceProvider = {
  type: "SIMPLE",
  requirement: "nothing",
  detect: () => true,
  read: async () => sourceInfo("SIMPLE", { commitSha: null, branch: null, repository: null, url: null, message: null }),
};
