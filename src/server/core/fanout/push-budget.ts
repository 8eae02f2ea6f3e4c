/**
 * The ceiling on push bytes per second (issue 11): a token bucket of bytes. It holds one second's
 * worth (a quiet gateway pushes at once); every push round spends what it wrote, and while the
 * bucket is below zero the next round waits until it refills. So over any T seconds the gateway
 * pushes at most rate x (1 + T) bytes plus one round, however many watchers and changes there are,
 * and the interval between rounds grows with their size: rounds coalesce more changes under load.
 */
export class PushBudget {
  private tokens: number;
  private at: number;

  /** `bytesPerSecond`: the ceiling; `now`: a millisecond clock (injected for tests). */
  constructor(
    private readonly bytesPerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = bytesPerSecond;
    this.at = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.bytesPerSecond, this.tokens + ((t - this.at) / 1000) * this.bytesPerSecond);
    this.at = t;
  }

  /** Milliseconds until the next round may start (0: now). */
  waitMs(): number {
    this.refill();
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.bytesPerSecond) * 1000);
  }

  /** A round wrote `bytes`. */
  spend(bytes: number): void {
    this.refill();
    this.tokens -= bytes;
  }
}
