/**
 * fill against a gateway that makes each new connection wait (its new-connection rate limit): the
 * helper connections are all opened first and the rows written after, in one burst, so every row the
 * fill writes (its helpers' own rows included) is newer than whatever was written before the fill.
 * Was: each helper's beacons went out as soon as it connected, so rows written seconds apart; an open
 * connection from before the fill (s2-cap-199-200-201's victim), refreshed by keep-alive (SPEC P7)
 * during those waits, was then newer than the first fill rows, and the cap evicted one of them instead.
 */
import { afterEach, describe, expect, it } from "vitest";
import { runConformance } from "../../src/conformance/run/runner.js";
import type { Scenario } from "../../src/conformance/scenario/scenario.js";
import { createGateway, type Gateway } from "../../src/server/index.js";

type Row = { instanceId?: string; ts: number; reason?: string };

const scenario = {
  id: "fill-after-waits",
  title: "fill over helpers that each wait to connect",
  rules: ["S2"],
  level: "MUST",
  timeoutMs: 20000,
  actors: { admin: { client: { mode: "cli" } } },
  steps: [
    { step: "connect", actor: "admin" },
    // 3 helpers (each a row, then 2 + 2 + 1 beacons): each waits about 1 s to connect.
    { step: "fill", actor: "admin", add: 8, perConnection: 2, prefix: "${run}-fw" },
  ],
} as unknown as Scenario;

describe("fill against a gateway that rate-limits new connections", () => {
  let gateway: Gateway | undefined;
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  it("writes its rows after its last helper connected: their ts lie within one burst, not seconds apart", async () => {
    gateway = await createGateway({ host: "127.0.0.1", port: 0, testClock: true, limits: { connectionRate: { perSecond: 1, burst: 2 } } });
    const result = await runConformance({ url: gateway.url, scenarios: [{ scenario, source: "inline" }], waitReadyMs: 0 });
    const [run] = result.scenarios;
    expect(run.status, JSON.stringify(run.checks.filter((c) => c.status !== "passed"))).toBe("passed");
    // The helpers did wait (else this test proves nothing): at least two refused upgrades waited out.
    expect(run.refusalsWaitedOut?.["503"] ?? 0).toBeGreaterThanOrEqual(2);
    const rows = (await gateway.store.list()) as Row[];
    const filled = rows.filter((r) => typeof r.instanceId === "string" && /-fw-/.test(r.instanceId));
    expect(filled.map((r) => r.instanceId!.replace(/^.*-fw-/, "")).sort()).toEqual(["0", "1", "2", "3", "4", "conn-0", "conn-1", "conn-2"]);
    // Each helper's handshake answer (its first frame received): they came at least 1.5 s apart in all.
    const answered = ["0", "1", "2"].map((k) => run.wire.find((r) => r.dir === "recv" && r.actor.endsWith(`-fw-conn-${k}`))!.t);
    expect(Math.max(...answered) - Math.min(...answered)).toBeGreaterThanOrEqual(1500);
    // Without opening the helpers first, conn-0's beacons were >= 2 s older than conn-2's. (The helpers'
    // own rows are left out: closing them at the scenario's end wrote their ts again, P6.)
    const ts = filled.filter((r) => !/-fw-conn-/.test(r.instanceId!)).map((r) => r.ts);
    expect(Math.max(...ts) - Math.min(...ts)).toBeLessThan(1000);
  });
});
