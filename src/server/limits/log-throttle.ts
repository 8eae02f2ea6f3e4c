/**
 * Rejection log lines under a flood: at most `perWindow` lines per key (reason and address) per
 * `windowMs`; the next line after a quiet spell says how many were left out. Keeps a flood from
 * one address from filling the log, while other addresses' lines still appear. With `onLeftOut`,
 * lines left out are not lost when the flood stops: the first one left out in a window arms a timer
 * (unref'd) that reports the count at the window's end, and close() reports those still pending.
 */
export class LogThrottle {
  readonly #keys = new Map<string, { start: number; count: number; suppressed: number }>();
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly perWindow = 10,
    private readonly windowMs = 60_000,
    private readonly maxKeys = 10_000,
    private readonly now: () => number = () => performance.now(),
    /** Told, at the end of a window (or at close), how many lines of `key` were left out in it. */
    private readonly onLeftOut?: (key: string, count: number) => void,
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
    if (entry.suppressed === 1 && this.onLeftOut && !this.#timers.has(key)) this.#arm(key, entry.start, Math.max(0, entry.start + this.windowMs - now));
    return { log: false, suppressed: entry.suppressed };
  }

  /** Reports every count still pending and stops the timers. */
  close(): void {
    for (const [key, timer] of this.#timers) {
      clearTimeout(timer);
      this.#flush(key);
    }
    this.#timers.clear();
  }

  #arm(key: string, start: number, delayMs: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      if (this.#keys.get(key)?.start === start) this.#flush(key);
    }, delayMs);
    timer.unref?.();
    this.#timers.set(key, timer);
  }

  /** Says the count once: the next line of `key` does not repeat it. */
  #flush(key: string): void {
    const entry = this.#keys.get(key);
    if (!entry || entry.suppressed === 0) return;
    const count = entry.suppressed;
    entry.suppressed = 0;
    this.onLeftOut?.(key, count);
  }
}
