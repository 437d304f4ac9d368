/**
 * Answers of cacheable history reads (cacheable.ts), kept per deployment together with the
 * deployment revision they were computed at. Storing an answer at a newer revision drops the
 * deployment's older ones: no fresh read can ask for them again.
 */
export class ResponseCache<V> {
  private readonly byDeployment = new Map<number, { revision: number; answers: Map<string, V>; weight: number }>();
  private weight = 0;

  /** `maxWeight` bounds memory (weights are response sizes): past it the least recently stored deployment is dropped. */
  constructor(private readonly maxWeight: number) {}

  get(deployment: number, revision: number, key: string): V | undefined {
    const entry = this.byDeployment.get(deployment);
    return entry?.revision === revision ? entry.answers.get(key) : undefined;
  }

  set(deployment: number, revision: number, key: string, value: V, weight: number): void {
    let entry = this.byDeployment.get(deployment);
    // Revisions only grow: an answer computed at an older one, finishing late, is of no use.
    if (entry && entry.revision > revision) return;
    if (entry && entry.revision !== revision) {
      this.weight -= entry.weight;
      entry = undefined;
    }
    if (!entry) entry = { revision, answers: new Map(), weight: 0 };
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
