/**
 * s2-cap-199-200-201 against a real reference gateway that makes each new connection wait (its
 * new-connection rate limit: HTTP 503 + Retry-After, docs/security.md) and keeps open connections
 * alive often (keep-alive every 300 ms, SPEC P7). The fill's helpers then open about a second apart,
 * and keep-alive refreshes the victim's open row while they wait: it is no longer the oldest row when
 * the 201st key comes, and the gateway rightly evicts the oldest fill row instead. The scenario's
 * premise (the victim is the oldest row, checked by its `assume` on the listing at 200 rows) no
 * longer holds: it is not judged (skipped, saying why and what to do), never failed against S2.
 * Was: FAIL "a row matches {"instanceId":"...-s2-victim"}" although the gateway did right.
 */
import { afterEach, describe, expect, it } from "vitest";
import { runConformance } from "../../../src/conformance/run/runner.js";
import { loadScenarios } from "../../../src/conformance/scenario/fixtures.js";
import { createGateway, type Gateway } from "../../../src/server/index.js";
import { FAST, referenceGateway, runOptions, TOKEN } from "../gateways.js";
import { scaled } from "../../support/timing.js";

const cap = () => loadScenarios().filter(({ scenario }) => scenario.id === "s2-cap-199-200-201");

describe("s2-cap-199-200-201 when the fill is slow (connection rate) and keep-alive refreshes the victim", () => {
  let gateway: Gateway | undefined;
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  it("is not judged (skipped, naming P7 keep-alive, the connection rate and what to do), not failed; the gateway's eviction was right", async () => {
    // Burst 4: the probe, admin, victim and the first helper; each later helper waits ~1 s (2 a second,
    // Retry-After in whole seconds). Keep-alive every 300 ms refreshes the victim during those waits.
    gateway = await createGateway({
      host: "127.0.0.1",
      port: 0,
      testClock: true,
      token: TOKEN,
      ...FAST,
      keepAliveIntervalMs: 300,
      limits: { ...FAST.limits, connectionRate: { perSecond: 2, burst: 4 } },
    });
    const result = await runConformance(runOptions(gateway, { scenarios: cap(), waitReadyMs: 0 }));
    const [run] = result.scenarios;
    // The helpers did wait (else this test proves nothing).
    expect(run.refusalsWaitedOut?.["503"] ?? 0, JSON.stringify(run.checks)).toBeGreaterThanOrEqual(2);
    expect(run.status, run.checks.map((c) => c.message?.slice(0, 300)).join("; ")).toBe("skipped");
    expect(run.reason).toMatch(/^not judged: /);
    expect(run.reason).toMatch(/P7/);
    expect(run.reason).toMatch(/keep-alive/);
    expect(run.reason).toMatch(/--connection-rate/);
    expect(run.reason).toMatch(/ \(this run of it waited out \d+ refused WebSocket upgrades, HTTP 503\)$/);
    expect(run.reason).toMatch(/the oldest non-self row is the row of instanceId "[^"]+-s2-\d+" \(ts \d+.*\), not one matching \{"instanceId":"[^"]+-s2-victim"\}: the row of instanceId "[^"]+-s2-victim" has ts \d+ \(\d+ ms newer; \d+ rows are older\) \(step 7-list\); /);
    // Every check that ran passed (the fill, the 200th write, the listing at 200), and none after it ran.
    expect(run.checks.length).toBeGreaterThan(0);
    expect(run.checks.every((c) => c.status === "passed")).toBe(true);
    expect(run.checks.some((c) => /still 200 rows/.test(c.title))).toBe(false);
    // Not a failure of the run: skipped scenarios do not fail it.
    expect(result.summary.failed).toBe(0);
    expect(result.summary.skipped).toBe(1);
  }, scaled(30_000));

  it("passes as before on a gateway that does not make connections wait", async () => {
    gateway = await referenceGateway();
    const result = await runConformance(runOptions(gateway, { scenarios: cap() }));
    const [run] = result.scenarios;
    expect(run.status, run.checks.map((c) => c.message?.slice(0, 300)).join("; ")).toBe("passed");
    expect(run.checks.some((c) => /still 200 rows/.test(c.title))).toBe(true);
  }, scaled(30_000));
});
