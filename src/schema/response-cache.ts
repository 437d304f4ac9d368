/**
 * Answers of cacheable history reads (cacheable.ts), kept per deployment together with the
 * deployment row they were computed from. An answer is served only while a fresh read of that
 * row finds it unchanged, so a cached answer is never older than the database: not after this
 * instance's own changes, not after another instance's, and not after a settings update.
 */
export class ResponseCache<V> {
  private readonly byDeployment = new Map<number, { token: string; answers: Map<string, V>; weight: number }>();
  private weight = 0;

  /** `maxWeight` bounds memory (weights are response sizes): past it the least recently stored deployment is dropped. */
  constructor(private readonly maxWeight: number) {}

  get(deployment: number, token: string, key: string): V | undefined {
    const entry = this.byDeployment.get(deployment);
    return entry?.token === token ? entry.answers.get(key) : undefined;
  }

  set(deployment: number, token: string, key: string, value: V, weight: number): void {
    let entry = this.byDeployment.get(deployment);
    if (entry && entry.token !== token) {
      this.weight -= entry.weight;
      entry = undefined;
    }
    if (!entry) entry = { token, answers: new Map(), weight: 0 };
    this.byDeployment.delete(deployment);
    this.byDeployment.set(deployment, entry);
    if (!entry.answers.has(key)) {
      entry.answers.set(key, value);
      entry.weight += weight;
      this.weight += weight;
    }
    for (const [oldest, old] of this.byDeployment) {
      if (this.weight <= this.maxWeight || oldest === deployment) break;
      this.weight -= old.weight;
      this.byDeployment.delete(oldest);
    }
  }
}
