/**
 * Rejection log lines under a flood: at most `perWindow` lines per key (reason and address) per
 * `windowMs`; the next line after a quiet spell says how many were left out. Keeps a flood from
 * one address from filling the log, while other addresses' lines still appear.
 */
export class LogThrottle {
  readonly #keys = new Map<string, { start: number; count: number; suppressed: number }>();

  constructor(
    private readonly perWindow = 10,
    private readonly windowMs = 60_000,
    private readonly maxKeys = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Whether to log a line for `key`, and how many were suppressed before it (to say so). */
  allow(key: string): { log: boolean; suppressed: number } {
    const now = this.now();
    let entry = this.#keys.get(key);
    if (!entry || now - entry.start >= this.windowMs) {
      const suppressed = entry?.suppressed ?? 0;
      this.#keys.delete(key);
      if (this.#keys.size >= this.maxKeys) this.#keys.delete(this.#keys.keys().next().value!);
      this.#keys.set(key, (entry = { start: now, count: 1, suppressed: 0 }));
      return { log: true, suppressed };
    }
    if (entry.count < this.perWindow) {
      entry.count++;
      return { log: true, suppressed: 0 };
    }
    entry.suppressed++;
    return { log: false, suppressed: entry.suppressed };
  }
}
