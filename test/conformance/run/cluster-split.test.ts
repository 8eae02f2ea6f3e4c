/**
 * `conform --url A --url B` where A and B each keep their own list (not one cluster): the command
 * exits 2 with one run error naming what was seen, and its last line says why no scenario ran (it
 * said "the gateway could not be reached" for gateways it had just connected to).
 */
import { describe, expect, it, vi } from "vitest";
import { cliResult } from "../../support/cli.js";
import { scaled } from "../../support/timing.js";
import { referenceGateway, TOKEN } from "../gateways.js";

vi.setConfig({ testTimeout: scaled(60_000) });

describe("conform against two gateways that do not share one list", () => {
  it("exits 2, saying that the gateways are not one cluster, and names no rule", async () => {
    const a = await referenceGateway();
    const b = await referenceGateway();
    try {
      const { code, stdout } = await cliResult(["conform", "--no-color", "--url", a.url, "--url", b.url, "--token", TOKEN, "--only", "K1,P6,x1-connect-on-a-watch-on-b"]);
      expect(stdout).toMatch(
        new RegExp(`^Cannot run the \\d+ scenarios: the gateways do not share one presence list: a row made on ${a.url.replace(/[.]/g, "\\.")} \\(instanceId "[0-9a-f]{8}-shared-list"\\) was not listed by ${b.url.replace(/[.]/g, "\\.")} within 3000 ms \\(--step-timeout\\), so they are not the gateways of one cluster`, "m"),
      );
      expect(stdout).not.toMatch(/✗/);
      expect(stdout.trimEnd().split("\n").pop()).toBe("FAIL: the gateways given do not share one presence list, so no scenario ran (see the run error above)");
      expect(code).toBe(2);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
