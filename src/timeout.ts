/** A wait that ran out: `within`'s refusal, told apart from the work's own failures. */
export class TimedOut extends Error {}

/**
 * `work`, or a TimedOut after `ms`, whichever comes first; the timer never outlives the race.
 * The work itself is not stopped (a promise cannot be): callers whose work holds a resource
 * pass work that gives it up on its own, or let it finish unobserved.
 */
export function within<T>(ms: number, work: Promise<T>, message = `no answer within ${ms} ms`): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut(message)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
