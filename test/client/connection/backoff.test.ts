import { describe, expect, it } from "vitest";
import { backoffDelay, DEFAULT_BACKOFF, resolveBackoff } from "../../../src/index.js";
import { ReconnectLoop } from "../../../src/client/backoff.js";
import { TransportError } from "../../../src/client/errors.js";

describe("reconnect backoff", () => {
  it("starts near 250 ms, doubles, and stops growing at the 30 s cap", () => {
    const top = (attempt: number) => backoffDelay(attempt, DEFAULT_BACKOFF, () => 0);
    expect([0, 1, 2, 3].map(top)).toEqual([250, 500, 1000, 2000]);
    expect(top(7)).toBe(30_000); // 250 * 128 = 32000, capped
    expect(top(50)).toBe(30_000);
  });

  it("jitters each delay down to 70 % of it by default, never above it", () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const ceiling = Math.min(30_000, 250 * 2 ** attempt);
      expect(backoffDelay(attempt, DEFAULT_BACKOFF, () => 0.999999)).toBeGreaterThanOrEqual(Math.floor(ceiling * 0.7));
      expect(backoffDelay(attempt, DEFAULT_BACKOFF, () => 0.5)).toBe(Math.round(ceiling * 0.85));
    }
  });

  it("keeps the first six retries at 11 s or more together, so a flapping gateway sees at most six attempts in 10 s", () => {
    const shortest = [0, 1, 2, 3, 4, 5].reduce((sum, attempt) => sum + backoffDelay(attempt, DEFAULT_BACKOFF, () => 0.999999), 0);
    expect(shortest).toBeGreaterThan(10_000);
  });

  it("spreads many clients' delays over the jitter range", () => {
    const delays = Array.from({ length: 500 }, () => backoffDelay(3, DEFAULT_BACKOFF));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(1400);
    expect(Math.max(...delays)).toBeLessThanOrEqual(2000);
    expect(new Set(delays).size).toBeGreaterThan(100);
  });

  it("takes custom options and rejects impossible ones with a clear message", () => {
    const custom = resolveBackoff({ initialDelayMs: 10, maxDelayMs: 40, factor: 3, jitter: 0 });
    expect([0, 1, 2].map((a) => backoffDelay(a, custom))).toEqual([10, 30, 40]);
    expect(() => resolveBackoff({ initialDelayMs: 500, maxDelayMs: 100 })).toThrow(/initialDelayMs <= maxDelayMs/);
    expect(() => resolveBackoff({ factor: 0.5 })).toThrow(/factor must be >= 1/);
    expect(() => resolveBackoff({ jitter: 2 })).toThrow(/jitter must lie in \[0, 1\]/);
  });
});

describe("ReconnectLoop.schedule: the wait a failure asks for", () => {
  const reconnect = { ...DEFAULT_BACKOFF, initialDelayMs: 10, maxDelayMs: 5_000, jitter: 0, maxAttempts: Infinity, minUptimeMs: 0 };
  const delayFor = (error?: Error) => {
    const loop = new ReconnectLoop(reconnect);
    const next = loop.schedule(() => {}, error);
    loop.stop();
    return next!.delayMs;
  };

  it("a refused upgrade's Retry-After (TransportError.retryAfterMs): at least that, at most maxDelayMs; an absurd one (Infinity) is maxDelayMs, none or 0 the backoff", () => {
    const refused = (retryAfterMs?: number) => new TransportError("closed", "cannot open ws://127.0.0.1:1/: Unexpected server response: 503", { httpStatus: 503, retryAfterMs });
    expect(delayFor(refused(3_000))).toBe(3_000);
    expect(delayFor(refused(60_000))).toBe(5_000);
    expect(delayFor(refused(Number.POSITIVE_INFINITY))).toBe(5_000);
    expect(delayFor(refused(0))).toBe(10);
    expect(delayFor(refused())).toBe(10);
    expect(delayFor(new TransportError("closed", "cannot open ws://127.0.0.1:1/: ECONNREFUSED"))).toBe(10);
  });

  it("maxWaitAskedMs lets a wait asked run past maxDelayMs (watch: backoff at most 5 s, Retry-After up to 30 s)", () => {
    const refused = (retryAfterMs: number) => new TransportError("closed", "cannot open ws://127.0.0.1:1/: Unexpected server response: 503", { httpStatus: 503, retryAfterMs });
    const loop = new ReconnectLoop({ ...reconnect, ...resolveBackoff({ initialDelayMs: 10, maxDelayMs: 5_000, jitter: 0, maxWaitAskedMs: 30_000 }) });
    const next = (error?: Error) => loop.schedule(() => {}, error)!.delayMs;
    expect(next(refused(20_000))).toBe(20_000);
    expect(next(refused(60_000))).toBe(30_000);
    for (let i = 0; i < 12; i++) next(); // the backoff itself stops at maxDelayMs
    expect(next()).toBe(5_000);
    loop.stop();
    expect(() => resolveBackoff({ maxWaitAskedMs: -1 })).toThrow(/maxWaitAskedMs must be >= 0/);
    expect(() => resolveBackoff({ maxWaitAskedMs: 2 ** 31 })).toThrow(/maxWaitAskedMs/);
  });
});
