/**
 * The open server-sent-event streams of one node, at most `limit` of them. Each stream costs a socket, a
 * timer and a store read every push, so a node holds a bounded number and refuses the next (a 503 the
 * load balancer can send elsewhere) instead of growing until it falls over. A stream leaves the registry
 * when it stops, whichever side ends it.
 */
export class StreamRegistry {
  private readonly open = new Set<() => void>();

  constructor(readonly limit: number) {
    if (!(Number.isInteger(limit) && limit >= 0))
      throw new Error(`a stream limit must be a whole number, not ${limit}`);
  }

  get size(): number {
    return this.open.size;
  }

  get full(): boolean {
    return this.open.size >= this.limit;
  }

  /**
   * Registers a stream by the function that ends it; false (and nothing registered) when full. The
   * caller checks `full` before it answers, and adds with no await in between, so two streams opening
   * at once cannot both take the last place.
   */
  add(stop: () => void): boolean {
    if (this.full) return false;
    this.open.add(stop);
    return true;
  }

  delete(stop: () => void): void {
    this.open.delete(stop);
  }

  /** Ends every stream (before the server closes: an open stream would hold it open). */
  stopAll(): void {
    for (const stop of [...this.open]) stop();
  }
}

/**
 * Live queue streams one node holds by default. Each reads the store every 2 s, so 500 are 250 reads a
 * second, about what one node serves in all (bench/flow.ts): more advisers than that belong on more nodes.
 */
export const DEFAULT_MAX_QUEUE_STREAMS = 500;
