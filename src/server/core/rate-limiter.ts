/** A token bucket (SPEC B2): `burst` tokens, refilled at `perSecond`; time from a monotonic clock. */
export interface RateLimit {
  /** Bucket size: calls allowed back to back. */
  burst: number;
  /** Refill rate, tokens per second. */
  perSecond: number;
}

export const DEFAULT_RATE_LIMIT: RateLimit = { burst: 50, perSecond: 20 };

export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

const TAKEN: TakeResult = Object.freeze({ ok: true });

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = limit.burst;
    this.last = now();
  }

  /** Takes one token, or says how long until one is available. */
  take(): TakeResult {
    const now = this.now();
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) / 1000) * this.limit.perSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return TAKEN;
    }
    return { ok: false, retryAfterMs: Math.max(1, Math.ceil(((1 - this.tokens) / this.limit.perSecond) * 1000)) };
  }
}
