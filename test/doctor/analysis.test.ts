// The pure parts of the doctor on hand-made observations: the clock estimate, the self-row
// arbitration, option checks and the renderer's limits.
import { describe, expect, it } from "vitest";
import { analyze, displayUrl, estimateOffset, renderReport, type ClockSample, type Observation } from "../../src/doctor/index.js";
import type { PresenceEntry } from "../../src/index.js";

const T = 1_800_000_000_000;
const self = (ts: number): PresenceEntry => ({ host: "gw", mode: "gateway", reason: "self", ts });

function observation(entries: PresenceEntry[], more: Partial<Observation> = {}): Observation {
  return {
    url: "ws://127.0.0.1:1",
    binding: "jsonrpc",
    hello: { protocol: 1, serverVersion: "x", methods: ["system-presence"], presence: entries, sentAt: T - 20, receivedAt: T - 10 },
    list: { entries, sentAt: T, receivedAt: T + 4 },
    watchMs: 0,
    pushes: [],
    ticks: [],
    ...more,
  };
}

describe("clock offset", () => {
  const sample = (label: string, gatewayTs: number, localFrom: number, localTo: number): ClockSample => ({ label, gatewayTs, localFrom, localTo, kind: "self" });

  it("intersects the samples' intervals: the estimate is as tight as the best round trip", () => {
    const estimate = estimateOffset([sample("a", T + 5_000, T - 50, T + 50), sample("b", T + 5_010, T + 8, T + 12)]);
    expect(estimate.offsetMs).toBe(5_000);
    expect(estimate.uncertaintyMs).toBeLessThanOrEqual(3);
    expect(estimate.basis).toBe("the self row (a, b)");
  });

  it("samples that cannot all be true (a clock jumped): the latest one, and the basis says so", () => {
    const estimate = estimateOffset([sample("before", T, T - 2, T + 2), sample("after", T + 60_000, T + 100, T + 110)]);
    expect(estimate.offsetMs).toBe(59_895);
    expect(estimate.basis).toMatch(/^after, the latest sample \(the samples disagree by 60 s: a clock jumped while watching\)$/);
  });

  it("a push or tick only bounds the offset from below (its clock may have been read long before it was sent)", () => {
    const list = sample("list", T + 5_000, T - 1, T + 1);
    const latePush: ClockSample = { ...sample("push 1", T + 5_000 - 20, T + 95, T + 100), unsolicited: true };
    const estimate = estimateOffset([list, latePush]);
    expect(estimate.basis).toBe("the self row (list, push 1)");
    expect(estimate.offsetMs).toBe(5_000);
    const ticksOnly = estimateOffset([{ label: "tick 1", gatewayTs: T + 7_000, localFrom: T - 4, localTo: T, kind: "tick", unsolicited: true }]);
    expect(ticksOnly).toMatchObject({ offsetMs: 7_002, uncertaintyMs: 3, basis: "1 tick" });
  });

  it("no sample: unknown", () => {
    expect(estimateOffset([])).toEqual({ offsetMs: null, uncertaintyMs: null, basis: "no self row and no tick" });
  });
});

describe("the self row against the other rows", () => {
  const row = (host: string, ts: number): PresenceEntry => ({ host, instanceId: host, platform: "p", version: "1", ts });

  it("one row of three newer than self: that row is in the future (K3), self is fine", () => {
    const report = analyze(observation([self(T), row("a", T - 1000), row("b", T - 500), row("c", T + 60_000)]));
    expect(report.findings.map((f) => f.id)).toEqual(["ts-in-future"]);
    expect(report.gatewayNow).toBe(T);
  });

  it("most rows newer than self: the self row is stale (P1), and its ts is not taken as the gateway's time", () => {
    const report = analyze(observation([self(T - 60_000), row("a", T - 1000), row("b", T - 500), row("c", T + 100)]));
    expect(report.findings.map((f) => f.id)).toEqual(["self-row-stale"]);
    expect(report.gatewayNow).toBeNull();
    expect(report.clock.offsetMs).toBeNull();
  });

  it("an empty list: the self row missing, nothing else", () => {
    expect(analyze(observation([])).findings.map((f) => f.id)).toEqual(["self-row-missing"]);
  });
});

describe("one instanceId on several rows (K1)", () => {
  const row = (reason: string | undefined, more: Partial<PresenceEntry> = {}): PresenceEntry => ({ instanceId: "app-1", host: "app", ...(reason ? { reason } : {}), ts: T - 1000, ...more });

  it("a disconnect row beside a live connection's row: rows kept per connection", () => {
    const [finding] = analyze(observation([self(T), row("disconnect"), row("connect")])).findings;
    expect(finding).toMatchObject({ id: "duplicate-per-connection", title: 'instanceId "app-1" is listed as 2 rows: a disconnect row beside the live one' });
  });

  it("two disconnect rows and a beacon-only row (no reason): no live one to speak of", () => {
    const [finding] = analyze(observation([self(T), row("disconnect"), row(undefined, { host: undefined, ip: "198.51.100.9" }), row("disconnect")])).findings;
    expect(finding).toMatchObject({ id: "duplicate-per-connection", title: 'instanceId "app-1" is listed as 3 rows' });
    expect(finding.detail).toMatch(/^One instanceId has several rows: the gateway keys some of them by something other than the instanceId/);
  });
});

describe("options and rendering", () => {
  it("the report's URL carries no credentials and no query values", () => {
    expect(displayUrl("ws://admin:hunter2@gw.example:18789/presence")).toBe("ws://<REDACTED>@gw.example:18789/presence");
    expect(displayUrl("ws://gw.example:18789/?token=hunter2&x=1")).toBe("ws://gw.example:18789/?token=<REDACTED>&x=<REDACTED>");
    expect(displayUrl("ws://127.0.0.1:18789")).toBe("ws://127.0.0.1:18789");
  });

  it("refuses nonsense thresholds", () => {
    expect(() => analyze(observation([self(T)]), { ttlMs: 0 })).toThrow(/ttlMs must be a finite number >= 1/);
    expect(() => analyze(observation([self(T)]), { toleranceMs: Number.NaN })).toThrow(/toleranceMs/);
  });

  it("a custom cap and TTL change what counts as too many and too old", () => {
    const rows = [self(T), { host: "a", ts: T - 20_000 }, { host: "b", ts: T - 1000 }];
    expect(analyze(observation(rows)).findings).toEqual([]);
    expect(analyze(observation(rows), { maxEntries: 2, ttlMs: 10_000 }).findings.map((f) => f.id)).toEqual(["rows-past-ttl", "rows-over-cap"]);
  });

  it("colours only when asked, and shows at most maxRows evidence rows", () => {
    const rows = [self(T), ...Array.from({ length: 14 }, (_, i) => ({ host: `h${i}`, mode: "cli", ts: T - i }))];
    const report = analyze(observation(rows));
    const plain = renderReport(report, { maxRows: 5 });
    expect(plain).not.toMatch(/\x1b\[/);
    expect(plain).toMatch(/^ {4}\.\.\. and 9 more rows \(--json has them all\)$/m);
    expect(renderReport(report, { color: true })).toMatch(/\x1b\[31m✖ error\x1b\[0m/);
  });
});
