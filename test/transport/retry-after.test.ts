// Retry-After (RFC 9110 §10.2.3) as the client reads it from a refused WebSocket upgrade: delay-seconds
// or an HTTP-date in each of the three forms RFC 9110 §5.6.7 makes a recipient accept.
import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "../../src/transport/retry-after.js";

const NOW = Date.UTC(1994, 10, 6, 8, 49, 30); // Sun, 06 Nov 1994 08:49:30 GMT

describe("parseRetryAfter", () => {
  it("delay-seconds: whole seconds as ms", () => {
    expect(parseRetryAfter("3", NOW)).toBe(3_000);
    expect(parseRetryAfter(" 120 ", NOW)).toBe(120_000);
    expect(parseRetryAfter("0", NOW)).toBe(0);
  });

  it("an HTTP-date in each form, seven seconds after now: 7000 ms", () => {
    expect(parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", NOW)).toBe(7_000);
    expect(parseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", NOW)).toBe(7_000);
    expect(parseRetryAfter("Sun Nov  6 08:49:37 1994", NOW)).toBe(7_000);
    expect(parseRetryAfter("Sun Nov 16 08:49:37 1994", NOW)).toBe(10 * 86_400_000 + 7_000);
  });

  it("RFC 850's two-digit year: never more than 50 years ahead", () => {
    const in2026 = Date.UTC(2026, 0, 1);
    expect(parseRetryAfter("Thursday, 01-Jan-26 00:00:05 GMT", in2026)).toBe(5_000);
    // 99 read as 2099 would be 73 years ahead: it is 1999, in the past.
    expect(parseRetryAfter("Friday, 01-Jan-99 00:00:05 GMT", in2026)).toBe(0);
  });

  it("a date in the past asks for no wait", () => {
    expect(parseRetryAfter("Sun, 06 Nov 1994 08:49:00 GMT", NOW)).toBe(0);
  });

  it("absent or neither form: undefined (nothing asked)", () => {
    for (const value of [undefined, "", "soon", "-5", "1.5", "3 s", "Sun, 06 Nov 1994 08:49:37 PST", "2026-11-30T14:00:00Z", "Sun, 06 Foo 1994 08:49:37 GMT"]) {
      expect(parseRetryAfter(value, NOW), String(value)).toBeUndefined();
    }
  });
});
