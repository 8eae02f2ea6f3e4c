/**
 * Open connections per presence key, for the in-memory store (SPEC P6: a row is marked
 * `disconnect` when the last connection holding its key closes; P7: while one is open, the row is
 * alive and never expires).
 */
export class ConnectionCounts {
  readonly #open: Map<string, number>;

  constructor(seed: Iterable<[string, number]> = []) {
    this.#open = new Map(seed);
  }

  /** One more connection holds `key`. */
  open(key: string): void {
    this.#open.set(key, (this.#open.get(key) ?? 0) + 1);
  }

  /**
   * A connection holding `key` closed: `none` when no connection of this store held it, `open` when
   * others still do, `last` when it was the last one (P6: the row is then marked disconnected).
   */
  close(key: string): "none" | "open" | "last" {
    const open = this.#open.get(key);
    if (open === undefined) return "none";
    if (open > 1) {
      this.#open.set(key, open - 1);
      return "open";
    }
    this.#open.delete(key);
    return "last";
  }

  /** Does an open connection hold `key` (P7: its row is alive)? */
  isOpen(key: string): boolean {
    return (this.#open.get(key) ?? 0) > 0;
  }
}
