/**
 * The harness against several gateways (`conform --url A --url B`, issue 12): every scenario passes on
 * a real 2-gateway cluster on a real redis-server, with the actors spread over both gateways and the
 * cross-gateway scenarios (x1-x5) run; two gateways that do not share a list stop the run before any
 * scenario (a run error naming the gateway that did not list the row made on the first);
 * a run against one gateway leaves them out.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runConformance } from "../../../src/conformance/run/runner.js";
import type { ProgressEvent } from "../../../src/conformance/report/results.js";
import { createGateway, type Gateway } from "../../../src/server/index.js";
import { REDIS_MISSING, startRedis, type RedisServer } from "../../support/redis-server.js";
import { FAST, referenceGateway, runOptions, TOKEN } from "../gateways.js";
import { scaled } from "../../support/timing.js";

const CROSS_GATEWAY = ["x1-connect-on-a-watch-on-b", "x2-reconnect-to-b-without-instanceid", "x3-same-instanceid-on-a-and-b", "x4-disconnect-on-a-while-open-on-b", "x5-beacon-on-b-for-row-made-on-a"];

let redis: RedisServer | undefined;
beforeAll(async () => {
  if (!REDIS_MISSING) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

/** Two reference gateways in test mode on one Redis; `connects` counts each one's connect log lines. */
async function cluster(): Promise<{ gateways: Gateway[]; connects: number[] }> {
  const connects = [0, 0];
  const gateways = await Promise.all(
    ["gw-a", "gw-b"].map((gatewayId, i) =>
      createGateway({
        host: "127.0.0.1",
        port: 0,
        testClock: true,
        token: TOKEN,
        ...FAST,
        redis: { url: redis!.url, prefix: `conform-${process.pid}`, gatewayId },
        logger: (line) => {
          if (line.startsWith("connect ")) connects[i]!++;
        },
      }),
    ),
  );
  return { gateways, connects };
}

const summary = (scenarios: { id: string; status: string; reason?: string; checks: { status: string; id: string; message?: string }[] }[]) =>
  scenarios.filter((s) => s.status !== "passed").map((s) => `${s.id}: ${s.status} ${s.reason ?? s.checks.filter((c) => c.status !== "passed").map((c) => `${c.id} ${c.message}`).join("; ")}`);

describe.skipIf(REDIS_MISSING !== undefined)(`conformance of a 2-gateway cluster on Redis${REDIS_MISSING ? ` (skipped: ${REDIS_MISSING})` : ""}`, () => {
  it("passes every scenario, the cross-gateway ones included, with the actors spread over both gateways", async () => {
    const { gateways, connects } = await cluster();
    try {
      const [a, b] = gateways as [Gateway, Gateway];
      const result = await runConformance(runOptions(a, { urls: [a.url, b.url] }));
      expect(summary(result.scenarios)).toEqual([]);
      expect(result.urls).toEqual([a.url, b.url]);
      expect(result.capabilities).toContain("cluster");
      for (const id of CROSS_GATEWAY) expect(result.scenarios.find((s) => s.id === id)?.status, id).toBe("passed");
      expect(result.ok).toBe(true);
      // Both gateways served a fair share of the actors.
      expect(Math.min(...connects)).toBeGreaterThan(20);
    } finally {
      await Promise.all(gateways.map((gw) => gw.close()));
    }
  }, scaled(60_000));
});

describe("the cross-gateway scenarios", () => {
  it("are not run on two gateways that each keep their own list: the run stops before any scenario, saying why", async () => {
    const a = await referenceGateway();
    const b = await referenceGateway();
    try {
      const result = await runConformance(runOptions(a, { urls: [a.url, b.url] }));
      const said = `the gateways do not share one presence list: a row made on ${a.url} (instanceId "`;
      expect(result.error).toContain(said);
      expect(result.error).toMatch(new RegExp(`-shared-list"\\) was not listed by ${b.url.replace(/[.]/g, "\\.")} within 3000 ms \\(stepTimeoutMs\\), so they are not the gateways of one cluster and no scenario was run`));
      // No verdict on any rule: each scenario is not run (was: 21 failed, naming B1, D1-D7, E1, ...).
      expect(result.scenarios.filter((s) => s.status !== "skipped")).toEqual([]);
      expect(result.scenarios.every((s) => s.reason?.startsWith(`not run: ${said}`))).toBe(true);
      expect(result.summary.failed).toBe(0);
      expect(result.ok).toBe(false);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("are left out of a run against one gateway, and the run says so", async () => {
    const gw = await createGateway({ host: "127.0.0.1", port: 0, testClock: true, token: TOKEN, ...FAST });
    try {
      const events: ProgressEvent[] = [];
      const result = await runConformance(runOptions(gw, { only: ["K1", "P6"], onProgress: (e) => events.push(e) }));
      expect(result.scenarios.some((s) => CROSS_GATEWAY.includes(s.id))).toBe(false);
      expect(result.scenarios.length).toBeGreaterThan(2);
      const start = events.find((e) => e.type === "start") as { notSelected?: string } | undefined;
      expect(start?.notSelected).toMatch(/cross-gateway scenarios are left to a run against a cluster \(--url A --url B\)/);
      expect(result.missingCapabilities.cluster).toMatch(/two gateways of one cluster/);
    } finally {
      await gw.close();
    }
  });
});
