/**
 * The Instances page of a gateway in a cluster (real redis-server, two gateways, Chromium): while its
 * gateway cannot reach Redis the list is that gateway's alone, and the page says so over the table.
 */
import { describe, expect, it } from "vitest";
import { REDIS_MISSING } from "../support/redis-server.js";
import { useRedis } from "../support/use-redis.js";
import { CHROMIUM, nodeClient, openPage, pageUrl, row, skipNote, startGateway, useChromium, waitLive } from "./harness.js";

const skip = skipNote || (REDIS_MISSING ? ` (skipped: ${REDIS_MISSING})` : "");

describe.skipIf(!CHROMIUM.path || REDIS_MISSING !== undefined)(`Instances page of a cluster gateway${skip}`, () => {
  const browser = useChromium();
  const redis = useRedis();

  it("says over the table while its gateway cannot reach Redis (Redis frozen), and stops once Redis is back", async () => {
    const cluster = { url: redis().url, prefix: `page-${process.pid}`, deadAfterMs: 500, commandTimeoutMs: 300 };
    const gw = await startGateway({ redis: { ...cluster, gatewayId: "gw-page" } });
    const other = await startGateway({ redis: { ...cluster, gatewayId: "gw-other" } });
    await nodeClient(other, { host: "on-other" });
    const page = await openPage(browser(), pageUrl(gw));
    await waitLive(page);
    await expect.poll(() => row(page, "on-other").count()).toBe(1);
    const note = page.locator("#table-note");
    expect(await note.textContent()).toBe("");

    redis().pause();
    try {
      // Was: nothing; the table stayed live-looking while it listed this gateway's view alone.
      await expect.poll(() => note.textContent(), { timeout: 8_000 }).toMatch(/^\(this gateway cannot reach its cluster's Redis: it lists what it knows alone; /);
      expect(await page.locator("#table-region").getAttribute("data-live")).toBe("true");
    } finally {
      redis().resume();
    }
    await expect.poll(() => note.textContent(), { timeout: 8_000 }).toBe("");
  });
});
