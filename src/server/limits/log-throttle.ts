/**
 * Rejection log lines under a flood: at most `perWindow` lines per key (reason and address) per
 * `windowMs`; the next line after a quiet spell says how many were left out. Keeps a flood from
 * one address from filling the log, while other addresses' lines still appear. With `onLeftOut`,
 * lines left out are not lost when the flood stops: the first one left out in a window arms a timer
 * (unref'd) that reports the count at the window's end, and close() reports those still pending.
 */
export class LogThrottle {
  readonly #keys = new Map<string, { start: number; count: number; suppressed: number }>();
  /** The pending report of each key, for the window that began at `start`. */
  readonly #timers = new Map<string, { timer: ReturnType<typeof setTimeout>; start: number }>();
  #closed = false;

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
    // Armed once per window: a late timer of the previous window (its count already said by the line
    // that began this one) gives way; after close() nothing is armed (the gateway said it stopped).
    if (entry.suppressed === 1 && this.onLeftOut && !this.#closed && this.#timers.get(key)?.start !== entry.start) {
      this.#arm(key, entry.start, Math.max(0, entry.start + this.windowMs - now));
    }
    return { log: false, suppressed: entry.suppressed };
  }

  /** Reports every count still pending and stops the timers. */
  close(): void {
    this.#closed = true;
    for (const [key, { timer }] of this.#timers) {
      clearTimeout(timer);
      this.#flush(key);
    }
    this.#timers.clear();
  }

  #arm(key: string, start: number, delayMs: number): void {
    clearTimeout(this.#timers.get(key)?.timer);
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      if (this.#keys.get(key)?.start === start) this.#flush(key);
    }, delayMs);
    timer.unref?.();
    this.#timers.set(key, { timer, start });
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
