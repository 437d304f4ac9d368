import { UsageError } from "../../../src/cli/errors";

/** The problems a call reports through its UsageError; fails when it throws anything else or nothing. */
export function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error.problems;
    throw error;
  }
  throw new Error("expected a UsageError");
}
