// The gateway-wide rate of new connections (src/server/limits/connection-rate.ts, limits.connectionRate):
// one token bucket for every address and listener, taken at the HTTP upgrade before ws reads it. A
// burst beyond the bucket gets 503 + Retry-After for the excess, from whichever address and listener,
// while connected clients and the list are untouched; once the bucket has refilled, connects succeed.
// The refill is slow on purpose (one token per 4 s), so the machine's load cannot refill the bucket
// in the middle of a burst; nothing is timed.
import { describe, expect, it } from "vitest";
import { createGateway } from "../../../src/server/index.js";
import { DEFAULT_LIMITS, resolveLimits, type GatewayLimitsOptions } from "../../../src/server/limits/options.js";
import { BINDINGS, closedAfterEach, startBoth, systemPresence, upgradeResponse, urlOf, Wire } from "./wire.js";

const { start, keep } = closedAfterEach();

const RATE = { perSecond: 0.25, burst: 4 };
const SWITCHED = /^HTTP\/1\.1 101 Switching Protocols\r\n/;
const REFUSED = /^HTTP\/1\.1 503 Service Unavailable\r\n[^]*Retry-After: 4\r\n[^]*\r\n\r\ntoo many new connections to the gateway \(at most 0\.25 per second, burst 4\): retry in 4 s\n$/;

const rowOf = (list: Array<Record<string, unknown>>, instanceId: string) => list.find((row) => row.instanceId === instanceId);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** How many refusals a CONNECTION_RATE log line stands for: its own (a line with the address) and those it says were left out. */
const refusalsIn = (line: string) => (/ address=/.test(line) ? 1 : 0) + Number(/(\d+) more refused since the last line/.exec(line)?.[1] ?? 0);

describe("gateway-wide new-connection rate (limits.connectionRate)", () => {
  it("a burst beyond the bucket, over both listeners and several addresses: the excess gets 503 + Retry-After, counted, logged once; the connected client and the list are untouched; after the refill a connect succeeds", async () => {
    const lines: string[] = [];
    const gw = await start({ limits: { connectionRate: RATE }, logger: (l) => lines.push(l) });
    // One token: the live client.
    const live = keep(await Wire.connected(gw, "jsonrpc", "live-1"));
    const before = await systemPresence(live);
    expect(before.map((row) => row.instanceId)).toContain("live-1");

    // Seven upgrades at once, from four addresses, to both listeners: three tokens are left for them.
    const answers = await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        upgradeResponse(urlOf(gw, BINDINGS[i % 2]!), `127.0.0.${70 + (i % 4)}`, {
          // A secret in the URL and the headers of a refused upgrade never reaches the log.
          path: "/?token=never-logged-query-secret",
          headers: "Authorization: Bearer never-logged-header-secret\r\n",
        }),
      ),
    );
    expect(answers.filter((a) => SWITCHED.test(a))).toHaveLength(3);
    const refused = answers.filter((a) => !SWITCHED.test(a));
    expect(refused).toHaveLength(4);
    for (const answer of refused) expect(answer).toMatch(REFUSED);

    const m = gw.metrics();
    expect(m).toMatchObject({ connectionRateRefusals: 4, limitRefusals: 4, rejections: 4, overloadRefusals: 0 });
    const logged = lines.filter((l) => l.includes("reason=CONNECTION_RATE"));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^reject upgrade reason=CONNECTION_RATE too many new connections to the gateway \(at most 0\.25 per second, burst 4\) address=127\.0\.0\.7[0-3]$/);
    expect(lines.join("\n")).not.toMatch(/never-logged/);

    // The connected client is served as before; the list has the same rows, the live one unchanged (the self row's ts moves on its own).
    expect(live.ws.readyState).toBe(live.ws.OPEN);
    const during = await systemPresence(live);
    expect(during.map((row) => row.instanceId)).toEqual(before.map((row) => row.instanceId));
    expect(rowOf(during, "live-1")).toEqual(rowOf(before, "live-1"));

    // Still empty: a real client is refused too (ws reports the 503).
    await expect(Wire.open(gw, "openclaw", { localAddress: "127.0.0.74" })).rejects.toThrow(/Unexpected server response: 503/);

    // Retry-After said 4 s: after it a new client connects, on either listener, and joins the list.
    await sleep(4_000 + 250);
    const late = keep(await Wire.connected(gw, "openclaw", "late-1"));
    const after = await systemPresence(late);
    expect(after.map((row) => row.instanceId)).toEqual(expect.arrayContaining(["live-1", "late-1"]));
    expect(gw.metrics().connectionRateRefusals).toBe(5);
  });

  it("a flood's last refusals reach the log at the end of their interval (one timer, armed by a refusal left out), with the full count", async () => {
    const lines: string[] = [];
    const gw = await start({ limits: { connectionRate: { perSecond: 0.01, burst: 1, logIntervalMs: 1_000 } }, logger: (l) => lines.push(l) });
    expect(await upgradeResponse(urlOf(gw, "jsonrpc"), "127.0.0.80")).toMatch(SWITCHED);
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => upgradeResponse(urlOf(gw, BINDINGS[i % 2]!), `127.0.0.${81 + (i % 3)}`)));
    for (const answer of answers) expect(answer).toMatch(/^HTTP\/1\.1 503 /);
    expect(gw.metrics().connectionRateRefusals).toBe(6);
    // Every refusal is in some line: the first with its address, the rest counted at the interval's end.
    const logged = () => lines.filter((l) => l.includes("reason=CONNECTION_RATE")).reduce((sum, l) => sum + refusalsIn(l), 0);
    for (let waited = 0; logged() < 6 && waited < 10_000; waited += 50) await sleep(50);
    expect(logged()).toBe(6);
    const tail = lines.filter((l) => l.includes("reason=CONNECTION_RATE")).at(-1)!;
    expect(tail).toMatch(/^reject upgrade reason=CONNECTION_RATE too many new connections to the gateway \(at most 0\.01 per second, burst 1\): \d+ more refused since the last line$/);
  });

  it("refusals not logged yet when the gateway closes are written as it closes", async () => {
    const lines: string[] = [];
    const gw = await startBoth({ limits: { connectionRate: { perSecond: 0.01, burst: 1, logIntervalMs: 600_000 } }, logger: (l) => lines.push(l) });
    try {
      for (const address of ["127.0.0.84", "127.0.0.85", "127.0.0.86", "127.0.0.87"]) await upgradeResponse(urlOf(gw, "jsonrpc"), address);
      expect(gw.metrics().connectionRateRefusals).toBe(3);
      expect(lines.filter((l) => l.includes("reason=CONNECTION_RATE"))).toHaveLength(1);
    } finally {
      await gw.close();
    }
    expect(lines.filter((l) => l.includes("reason=CONNECTION_RATE")).at(-1)).toMatch(/: 2 more refused since the last line$/);
  });

  it("page requests take no token: /healthz answers while the bucket is empty", async () => {
    const gw = await start({ limits: { connectionRate: { perSecond: 0.01, burst: 1 } } });
    keep(await Wire.connected(gw, "jsonrpc", "only-1"));
    expect(await upgradeResponse(urlOf(gw, "jsonrpc"), "127.0.0.75")).toMatch(/^HTTP\/1\.1 503 /);
    const health = await fetch(`${urlOf(gw, "jsonrpc").replace(/^ws/, "http")}/healthz`);
    expect(health.status).toBe(200);
    expect(gw.metrics().connectionRateRefusals).toBe(1);
  });

  it("enabled: false turns it off: upgrades far beyond the bucket all go on to the handshake", async () => {
    const gw = await start({ limits: { connectionRate: { enabled: false, perSecond: 0.01, burst: 1 } } });
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => upgradeResponse(urlOf(gw, BINDINGS[i % 2]!), `127.0.0.${76 + (i % 3)}`)));
    for (const answer of answers) expect(answer).toMatch(SWITCHED);
    expect(gw.metrics().connectionRateRefusals).toBe(0);
  });

  it("the defaults: 2000 per second, burst 10000, on, logged at most once per 10 s", () => {
    expect(DEFAULT_LIMITS.connectionRate).toEqual({ enabled: true, perSecond: 2_000, burst: 10_000, logIntervalMs: 10_000 });
    expect(resolveLimits({ connectionRate: { burst: 50 } }).connectionRate).toEqual({ enabled: true, perSecond: 2_000, burst: 50, logIntervalMs: 10_000 });
  });

  it("bad values are refused naming the option: RangeError for numbers and unknown keys, TypeError for enabled", async () => {
    const cases: Array<[unknown, ErrorConstructor, RegExp]> = [
      [{ perSecond: 0 }, RangeError, /^gateway: limits\.connectionRate\.perSecond must be a finite number > 0, got 0$/],
      [{ perSecond: -5 }, RangeError, /limits\.connectionRate\.perSecond must be a finite number > 0, got -5/],
      [{ perSecond: Number.POSITIVE_INFINITY }, RangeError, /limits\.connectionRate\.perSecond must be a finite number > 0, got Infinity/],
      [{ perSecond: "100" }, RangeError, /limits\.connectionRate\.perSecond must be a finite number > 0, got "100"/],
      [{ burst: 0.5 }, RangeError, /^gateway: limits\.connectionRate\.burst must be a finite number >= 1, got 0\.5$/],
      [{ burst: Number.NaN }, RangeError, /limits\.connectionRate\.burst must be a finite number >= 1, got NaN/],
      [{ logIntervalMs: 0 }, RangeError, /^gateway: limits\.connectionRate\.logIntervalMs must be an integer >= 1, got 0$/],
      [{ logIntervalMs: 2 ** 31 }, RangeError, /limits\.connectionRate\.logIntervalMs/],
      [{ enabled: "no" }, TypeError, /^gateway: limits\.connectionRate\.enabled must be true or false, got "no"$/],
      [{ rate: 5 }, RangeError, /^gateway: unknown limits\.connectionRate key "rate"; known: enabled, perSecond, burst, logIntervalMs$/],
      [5, TypeError, /^gateway: limits\.connectionRate must be an object$/],
    ];
    for (const [connectionRate, type, message] of cases) {
      const limits = { connectionRate } as unknown as GatewayLimitsOptions;
      expect(() => resolveLimits(limits)).toThrow(type);
      expect(() => resolveLimits(limits)).toThrow(message);
      // createGateway checks before it listens: nothing to close.
      await expect(createGateway({ port: 0, limits })).rejects.toThrow(message);
    }
  });
});
