// The per-address limits on their own, with a hand-driven clock: counting, delays, lockout and its
// end, the bounded table, the option checks. (test/server/hardening/floods.test.ts runs them in a real gateway.)
import { describe, expect, it } from "vitest";
import { AddressLimits, budgetKey } from "../../../src/server/limits/address-limits.js";
import { LogThrottle } from "../../../src/server/limits/log-throttle.js";
import { DEFAULT_LIMITS, resolveLimits } from "../../../src/server/limits/options.js";

function limitsAt(overrides: Parameters<typeof resolveLimits>[0] = {}) {
  const clock = { t: 0 };
  return { clock, limits: new AddressLimits(resolveLimits(overrides), () => clock.t) };
}

describe("AddressLimits", () => {
  it("counts open and pending sockets per address and frees them on close", () => {
    const { limits } = limitsAt({ connectionsPerAddress: 3, pendingHandshakesPerAddress: 2 });
    const [a, b, c, d] = [{}, {}, {}, {}];
    expect(limits.admit(a, "10.0.0.1")).toBeUndefined();
    expect(limits.admit(b, "10.0.0.1")).toBeUndefined();
    expect(limits.admit(c, "10.0.0.1")).toMatchObject({ reason: "HANDSHAKE_LIMIT" });
    expect(limits.admit(c, "10.0.0.2")).toBeUndefined(); // another address is not affected
    limits.handshaken(a);
    limits.handshaken(a); // twice changes nothing
    expect(limits.admit(c, "10.0.0.1")).toBeUndefined();
    limits.handshaken(b);
    limits.handshaken(c);
    expect(limits.admit(d, "10.0.0.1")).toMatchObject({ reason: "CONNECTION_LIMIT", retryAfterMs: 1000 });
    limits.release(a);
    limits.release(a);
    expect(limits.admit(d, "10.0.0.1")).toBeUndefined();
  });

  it("says 'connection' for a gateway that holds one", () => {
    const { limits } = limitsAt({ maxConnections: 1 });
    expect(limits.admit({}, "10.0.0.1")).toBeUndefined();
    expect(limits.admit({}, "10.0.0.2")).toMatchObject({ message: "the gateway is full (at most 1 open connection)" });
  });

  it("counts open and pending sockets of every address together against maxConnections and maxPendingHandshakes", () => {
    const { limits } = limitsAt({ maxConnections: 3, maxPendingHandshakes: 2 });
    const [a, b, c, d] = [{}, {}, {}, {}];
    expect(limits.admit(a, "10.0.0.1")).toBeUndefined();
    expect(limits.admit(b, "10.0.0.2")).toBeUndefined();
    expect(limits.admit(c, "10.0.0.3")).toMatchObject({ reason: "GATEWAY_HANDSHAKE_LIMIT", retryAfterMs: 1000 });
    limits.handshaken(a);
    expect(limits.admit(c, "10.0.0.3")).toBeUndefined();
    expect(limits.totals).toEqual({ open: 3, pending: 2 });
    expect(limits.admit(d, "10.0.0.4")).toMatchObject({ reason: "GATEWAY_CONNECTION_LIMIT", message: "the gateway is full (at most 3 open connections)" });
    limits.release(b);
    limits.release(b); // twice changes nothing
    expect(limits.totals).toEqual({ open: 2, pending: 1 });
    expect(limits.admit(d, "10.0.0.4")).toBeUndefined();
  });

  it("limits the rate of new connections per address with a token bucket", () => {
    const { clock, limits } = limitsAt({ handshakeRate: { burst: 2, perSecond: 10 } });
    for (let i = 0; i < 2; i++) {
      const conn = {};
      expect(limits.admit(conn, "10.0.0.1")).toBeUndefined();
      limits.release(conn);
    }
    expect(limits.admit({}, "10.0.0.1")).toMatchObject({ reason: "HANDSHAKE_RATE", retryAfterMs: 100 });
    clock.t += 100;
    expect(limits.admit({}, "10.0.0.1")).toBeUndefined();
  });

  it("delays failed connects 250 ms doubling to 5 s, locks out at the 10th, forgets after the lockout", () => {
    const { clock, limits } = limitsAt();
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      expect(limits.lockedFor("10.0.0.1")).toBeUndefined();
      const { delayMs, locked } = limits.authFailed("10.0.0.1");
      delays.push(delayMs);
      expect(locked).toBe(i === 9);
      clock.t += 1000;
    }
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000, 5000, 5000, 5000]);
    expect(limits.lockedFor("10.0.0.1")).toBe(300_000 - 1000);
    expect(limits.lockedFor("10.0.0.2")).toBeUndefined();
    clock.t += 300_000;
    expect(limits.lockedFor("10.0.0.1")).toBeUndefined();
    expect(limits.authFailed("10.0.0.1").delayMs).toBe(250); // a fresh start
  });

  it("counts failures within the window only, and a success forgives them", () => {
    const { clock, limits } = limitsAt({ authFailures: { maxFailures: 3, windowMs: 1000 } });
    limits.authFailed("a");
    limits.authFailed("a");
    clock.t += 1500;
    expect(limits.authFailed("a")).toEqual({ delayMs: 250, locked: false });
    limits.authFailed("a");
    limits.authSucceeded("a");
    expect(limits.authFailed("a")).toEqual({ delayMs: 250, locked: false });
  });

  it("tracks at most maxTrackedAddresses, forgetting idle ones first, never one with open sockets", () => {
    const { limits } = limitsAt({ maxTrackedAddresses: 3 });
    const held = {};
    limits.admit(held, "busy");
    for (let i = 0; i < 100; i++) limits.authFailed(`idle-${i}`);
    expect(limits.size).toBe(3);
    limits.release(held); // still tracked: its ticket is found
    expect(limits.admit({}, "busy")).toBeUndefined();
  });

  it("resolveLimits fills defaults and names a bad value", () => {
    expect(resolveLimits()).toEqual(DEFAULT_LIMITS);
    expect(resolveLimits({ authFailures: { lockoutMs: 5 } }).authFailures).toEqual({ ...DEFAULT_LIMITS.authFailures, lockoutMs: 5 });
    expect(() => resolveLimits({ connectionsPerAddress: 0 })).toThrow(/limits\.connectionsPerAddress must be an integer >= 1, got 0/);
    expect(() => resolveLimits({ handshakeRate: { perSecond: -1 } })).toThrow(/limits\.handshakeRate\.perSecond/);
    expect(() => resolveLimits({ authFailures: { delayMs: 500, maxDelayMs: 100 } })).toThrow(/limits\.authFailures\.maxDelayMs must be an integer >= 500/);
    expect(() => resolveLimits({ maxConnections: 1.5 })).toThrow(/limits\.maxConnections must be an integer >= 1, got 1\.5/);
    expect(() => resolveLimits({ maxPendingHandshakes: 0 })).toThrow(/limits\.maxPendingHandshakes must be an integer >= 1, got 0/);
    expect(() => resolveLimits({ maxUnfinishedRequests: -1 })).toThrow(/limits\.maxUnfinishedRequests/);
    expect(() => resolveLimits({ overload: { maxEventLoopDelayMs: 0 } })).toThrow(/limits\.overload\.maxEventLoopDelayMs must be a finite number >= 1, got 0/);
    expect(() => resolveLimits({ overload: { maxEventLoopUtilization: 1.5 } })).toThrow(/limits\.overload\.maxEventLoopUtilization must be at most 1, got 1\.5/);
    expect(() => resolveLimits({ overload: { windowMs: 10 } })).toThrow(/limits\.overload\.windowMs must be an integer >= 50, got 10/);
    expect(resolveLimits({ overload: { enabled: false } }).overload).toEqual({ ...DEFAULT_LIMITS.overload, enabled: false });
  });

  it("resolveLimits refuses a key it does not know, naming it and the known ones (a typo must not leave the default in force)", () => {
    const loose = (o: unknown) => () => resolveLimits(o as Parameters<typeof resolveLimits>[0]);
    expect(loose({ authFailures: { lockoutMS: 5 } })).toThrow(/unknown limits\.authFailures key "lockoutMS"; known: maxFailures, windowMs, lockoutMs, delayMs, maxDelayMs/);
    expect(loose({ connectionsPerAdress: 5, nope: 1 })).toThrow(/unknown limits keys "connectionsPerAdress", "nope"; known: connectionsPerAddress,/);
    expect(loose({ handshakeRate: { rate: 5 } })).toThrow(/unknown limits\.handshakeRate key "rate"; known: burst, perSecond/);
    expect(loose({ handshakeRate: 5 })).toThrow(/limits\.handshakeRate must be an object/);
    expect(loose({ overload: { maxDelayMs: 5 } })).toThrow(/unknown limits\.overload key "maxDelayMs"; known: enabled, maxEventLoopDelayMs, maxEventLoopUtilization, windowMs, retryAfterMs/);
    expect(loose({ overload: { enabled: "no" } })).toThrow(/limits\.overload\.enabled must be true or false, got "no"$/);
    // A string from JSON is quoted, so "10" does not read as the number 10 that would have been fine.
    expect(loose({ maxConnections: "10" })).toThrow(/limits\.maxConnections must be an integer >= 1, got "10"$/);
    // "Any positive number" is said as > 0, not as >= Number.MIN_VALUE (5e-324).
    expect(loose({ overload: { maxEventLoopUtilization: 0 } })).toThrow(/limits\.overload\.maxEventLoopUtilization must be a finite number > 0, got 0$/);
    expect(loose({ handshakeRate: { perSecond: 0 } })).toThrow(/limits\.handshakeRate\.perSecond must be a finite number > 0, got 0$/);
  });
});

describe("LogThrottle", () => {
  it("lets 10 lines per key and window through, then says how many it held back", () => {
    const clock = { t: 0 };
    const throttle = new LogThrottle(10, 60_000, 100, () => clock.t);
    const verdicts = Array.from({ length: 15 }, () => throttle.allow("UNAUTHORIZED 10.0.0.1"));
    expect(verdicts.filter((v) => v.log)).toHaveLength(10);
    expect(throttle.allow("UNAUTHORIZED 10.0.0.2").log).toBe(true);
    clock.t += 60_000;
    expect(throttle.allow("UNAUTHORIZED 10.0.0.1")).toEqual({ log: true, suppressed: 5 });
  });

  it("with onLeftOut, says how many it held back when their window ends though no line follows (once), and at close", async () => {
    const told: Array<[string, number]> = [];
    const throttle = new LogThrottle(10, 200, 100, undefined, (key, count) => told.push([key, count]));
    for (let i = 0; i < 15; i++) throttle.allow("HANDSHAKE_LIMIT 10.0.0.1");
    expect(told).toEqual([]); // was: never told, unless another line of that key came after the window
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(told).toEqual([["HANDSHAKE_LIMIT 10.0.0.1", 5]]);
    expect(throttle.allow("HANDSHAKE_LIMIT 10.0.0.1")).toEqual({ log: true, suppressed: 0 }); // not said twice
    for (let i = 0; i < 12; i++) throttle.allow("HANDSHAKE_LIMIT 10.0.0.1");
    throttle.close(); // a closing gateway says those still pending
    expect(told).toEqual([["HANDSHAKE_LIMIT 10.0.0.1", 5], ["HANDSHAKE_LIMIT 10.0.0.1", 3]]);
    // After close nothing is armed: no line after the gateway said it stopped.
    for (let i = 0; i < 15; i++) throttle.allow("HANDSHAKE_LIMIT 10.0.0.2");
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(told).toHaveLength(2);
  });

  it("a timer of the previous window that fires late does not cost the next window its report", async () => {
    const told: Array<[string, number]> = [];
    const clock = { t: 0 };
    const throttle = new LogThrottle(1, 200, 100, () => clock.t, (key, count) => told.push([key, count]));
    throttle.allow("K a");
    throttle.allow("K a"); // left out: a report armed for the window at t=0, due in 200 ms
    clock.t = 200; // the next window begins before that timer ran (a busy event loop)
    expect(throttle.allow("K a")).toEqual({ log: true, suppressed: 1 }); // the first line says the 1
    throttle.allow("K a"); // left out in the window at t=200: its own report is armed
    clock.t = 300;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(told).toEqual([["K a", 1]]); // was []: the late timer found another window and this one was never armed
    throttle.close();
  });
});

describe("budgetKey", () => {
  it("is the address for IPv4 and ::1, the /64 for any other IPv6 address", () => {
    expect(budgetKey("203.0.113.7")).toBe("203.0.113.7");
    expect(budgetKey("::1")).toBe("::1");
    expect(budgetKey(undefined)).toBe("unknown");
    for (const a of ["2001:db8:0:7::1", "2001:db8:0:7:ffff:ffff:ffff:ffff", "2001:0db8:0000:0007::", "2001:db8:0:7:1:2:3.4.5.6", "2001:db8:0:7::1%eth0"]) {
      expect(budgetKey(a)).toBe("2001:db8:0:7::/64");
    }
    expect(budgetKey("2001:db8:0:8::1")).toBe("2001:db8:0:8::/64");
    expect(budgetKey("::")).toBe("0:0:0:0::/64");
    expect(budgetKey("fe80::1")).toBe("fe80:0:0:0::/64");
  });

  it("wrong tokens from many addresses of one /64 meet one lockout; another /64 is not locked", () => {
    const { limits } = limitsAt({ authFailures: { maxFailures: 3, windowMs: 60_000 } });
    for (let i = 1; i <= 3; i++) limits.authFailed(`2001:db8:0:7::${i.toString(16)}`);
    expect(limits.lockedFor("2001:db8:0:7::abcd")).toBeGreaterThan(0);
    expect(limits.lockedFor("2001:db8:0:8::1")).toBeUndefined();
  });
});
