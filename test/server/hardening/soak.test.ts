// A short soak in `npm test`: 100 clients for 20 s against a gateway process with a 5 s TTL, so rows
// expire for real; the list must equal the model of acknowledged writes. `npm run soak -- --minutes 10`
// is the full run (1,000 clients, the default TTL; figures in docs/security.md).
import { describe, expect, it } from "vitest";
import { clientAddress, compare, heapClimbs, heapTrend, runSoak, type SoakReport } from "../../../scripts/hardening/soak.js";
import { DEFAULT_LIMITS } from "../../../src/server/limits/options.js";
import { scaled } from "../../support/timing.js";

describe("soak", () => {
  it("100 clients connecting, beaconing, dropping and reconnecting for 20 s: the list equals the model", { timeout: scaled(90_000) }, async () => {
    const seed = Date.now() % 1_000_000;
    const r = await runSoak({ seconds: 20, clients: 100, seed, ttlMs: 5_000, sampleMs: 1_000, settleSeconds: 2 });
    const problems = { missing: r.missing, extra: r.extra, mismatched: r.mismatched, invalidRows: r.invalidRows, gatewayErrors: r.gatewayErrors };
    expect(problems, `seed ${seed}`).toEqual({ missing: [], extra: [], mismatched: [], invalidRows: 0, gatewayErrors: [] });
    expect(r.connects).toBeGreaterThan(200);
    expect(r.beacons).toBeGreaterThan(200);
    expect(r.drops).toBeGreaterThan(0);
    expect(r.cleanCloses).toBeGreaterThan(0);
    // Most rows are decided (not within the expiry edge), and expiry did happen (closed rows older than the TTL).
    expect(r.modelRows).toBeGreaterThan(r.atTheEdge);
    // Heap samples on a 1 s cadence (a busy gateway's GC can make one take a few seconds); the trend
    // is taken over the steady second half (its verdict belongs to the long run: 20 s include warm-up).
    expect(r.samples.length).toBeGreaterThanOrEqual(8);
    expect(r.heap.samples).toBeGreaterThanOrEqual(3);
    expect(r.heap.fromS).toBe(10);
    expect(r.failReasons, `seed ${seed}`).not.toHaveProperty(["connect: RATE_LIMITED"]);
    // Each sample says where the memory is: RSS, the V8 heap before and after the GC, what lies
    // outside it (the operator's question when RSS grows and the heap does not).
    for (const sample of r.samples) {
      expect(sample.heapTotal).toBeGreaterThanOrEqual(sample.heapUsed);
      expect(sample.external).toBeGreaterThanOrEqual(sample.arrayBuffers);
      expect(sample.heapBeforeGc).toBeGreaterThan(0);
      expect(sample.arrayBuffersBeforeGc).toBeGreaterThanOrEqual(0);
      if (process.platform === "linux") expect(sample.anonymous).toBeGreaterThan(0);
    }
    // Lists serialized (about one per handshake: each connect changes the list its hello-ok carries).
    expect(r.snapshots).toBeGreaterThan(r.connects / 2);
    expect(r.listBytes).toBeGreaterThan(0);
    // The settle phase: the clients gone, samples of the idle gateway, the last after a full GC.
    expect(r.settle.length).toBeGreaterThanOrEqual(2);
    expect(r.settle.at(-1)!.heapBeforeGc).toBeUndefined();
  });

  it("spreads 1,000 clients over source addresses within the default per-address handshake limit", () => {
    const perAddress = new Map<string, number>();
    for (let i = 0; i < 1_000; i++) perAddress.set(clientAddress(i), (perAddress.get(clientAddress(i)) ?? 0) + 1);
    expect(Math.max(...perAddress.values())).toBeLessThanOrEqual(DEFAULT_LIMITS.pendingHandshakesPerAddress / 4);
    for (const address of perAddress.keys()) expect(address).toMatch(/^127\.0\.0\.\d+$/);
  });

  it("judges the heap by the steady part's thirds: flat with spikes passes, a climb fails, too few samples are not judged", () => {
    const MB = 1024 * 1024;
    const at = (heaps: number[]) => heaps.map((h, i) => ({ atS: 30 + 2 * i, heapUsed: h * MB }));
    const flat = heapTrend([{ atS: 0, heapUsed: 5 * MB }, ...at([20, 21, 80, 20, 19, 21, 20, 22, 20])], 30);
    expect(flat).toMatchObject({ samples: 9, fromS: 30, firstThird: 21 * MB, lastThird: 20 * MB });
    expect(heapClimbs(flat)).toBeUndefined();
    const climb = heapTrend(at([20, 22, 24, 26, 28, 30, 32, 34, 36]), 30);
    expect(climb.slopeMbPerMin).toBeCloseTo(60, 5);
    expect(heapClimbs(climb)).toMatch(/heap after GC climbs: median 22.0 MB in the first third of the steady part, 34.0 MB in the last \(60.00 MB\/min\)/);
    expect(heapClimbs(heapTrend(at([20, 21]), 30))).toMatch(/not judged: 2 samples from 30 s on; at least 6 are needed/);
  });

  it("the comparison catches a missing row, an extra one, a wrong field and an expired row still listed", () => {
    const report = { missing: [], extra: [], mismatched: [], modelRows: 0, listRows: 0, atTheEdge: 0, invalidRows: 0 } as unknown as SoakReport;
    const now = 1_000_000;
    const model = new Map([
      ["soak-1", { fields: { instanceId: "soak-1", reason: "connect" }, open: true, lastWrite: now - 1 }],
      ["soak-2", { fields: { instanceId: "soak-2", reason: "periodic" }, open: true, lastWrite: now - 1 }],
      ["soak-3", { fields: { instanceId: "soak-3", reason: "disconnect" }, open: false, lastWrite: now - 400_000 }],
    ]);
    const rows = [
      { reason: "self", mode: "gateway", ts: now },
      { instanceId: "soak-2", reason: "connect", ts: now },
      { instanceId: "soak-3", reason: "disconnect", ts: now - 400_000 },
      { instanceId: "stranger", ts: now },
    ];
    compare(report, model, rows, 300_000);
    expect(report.missing).toEqual(["soak-1 (open)"]);
    expect(report.mismatched).toEqual(['soak-2.reason: expected "periodic", got "connect"']);
    expect(report.extra).toEqual(["soak-3 (expired 100000 ms ago)", "stranger (not in the model)"]);
  });

  it("does not compare the beacon-only fields a row may have lost by expiring while its client was away (until a beacon writes them again)", () => {
    const report = { missing: [], extra: [], mismatched: [], modelRows: 0, listRows: 0, atTheEdge: 0, invalidRows: 0 } as unknown as SoakReport;
    const now = 1_000_000;
    const fields = { instanceId: "soak-4", reason: "connect", text: "beat 0", lastInputSeconds: 7 };
    const model = new Map([
      ["soak-4", { fields, open: true, lastWrite: now - 1, unsure: ["lastInputSeconds", "text"] }],
      ["soak-5", { fields: { ...fields, instanceId: "soak-5" }, open: true, lastWrite: now - 1 }],
    ]);
    // Both rows were made anew by a reconnect: neither has the earlier beacon's fields.
    const rows = [
      { reason: "self", mode: "gateway", ts: now },
      { instanceId: "soak-4", reason: "connect", ts: now },
      { instanceId: "soak-5", reason: "connect", ts: now },
    ];
    compare(report, model, rows, 5_000);
    expect(report.mismatched).toEqual(['soak-5.text: expected "beat 0", got undefined', "soak-5.lastInputSeconds: expected 7, got undefined"]);
    expect(report.missing).toEqual([]);
  });
});
