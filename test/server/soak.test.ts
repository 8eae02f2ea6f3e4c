// A short soak in `npm test`: 100 clients for 20 s against a gateway process with a 5 s TTL, so rows
// expire for real; the list must equal the model of acknowledged writes. `npm run soak -- --minutes 10`
// is the full run (1,000 clients, the default TTL; figures in docs/security.md).
import { describe, expect, it } from "vitest";
import { compare, runSoak, type SoakReport } from "../../scripts/hardening/soak.js";

describe("soak", () => {
  it("100 clients connecting, beaconing, dropping and reconnecting for 20 s: the list equals the model", { timeout: 90_000 }, async () => {
    const seed = Date.now() % 1_000_000;
    const r = await runSoak({ seconds: 20, clients: 100, seed, ttlMs: 5_000, sampleMs: 5_000 });
    const problems = { missing: r.missing, extra: r.extra, mismatched: r.mismatched, invalidRows: r.invalidRows, gatewayErrors: r.gatewayErrors };
    expect(problems, `seed ${seed}`).toEqual({ missing: [], extra: [], mismatched: [], invalidRows: 0, gatewayErrors: [] });
    expect(r.connects).toBeGreaterThan(200);
    expect(r.beacons).toBeGreaterThan(200);
    expect(r.drops).toBeGreaterThan(0);
    expect(r.cleanCloses).toBeGreaterThan(0);
    // Most rows are decided (not within the expiry edge), and expiry did happen (closed rows older than the TTL).
    expect(r.modelRows).toBeGreaterThan(r.atTheEdge);
    expect(r.samples.length).toBeGreaterThanOrEqual(3);
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
});
