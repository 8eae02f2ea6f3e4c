// The page in a tab the operator is not looking at, on a gateway that keeps changing: it renders
// nothing while hidden (no DOM work per push) yet keeps its connection and mirror, and shows the latest
// list the moment the tab is shown again. The tab is hidden for real, by a second tab opened over it
// (useChromiumWithTabs: Chromium fires visibilitychange there).
import type { Page } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import type { PresenceClient } from "../../src/client/index.js";
import type { Gateway } from "../../src/server/index.js";
import { CHROMIUM, nodeClient, pageUrl, skipNote, startGateway, useChromiumWithTabs, waitLive } from "./harness.js";

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Beacon rows build-1..build-N from one sender, each change a new version and idle time (a busy gateway). */
function churn(sender: PresenceClient, rows: number) {
  let round = 0;
  const beacon = (n: number, version = `2026.${round}.${n}`) =>
    sender.systemEvent({ instanceId: `b-${n}`, host: `build-${n}`, mode: "webchat", version, lastInputSeconds: (round * 7 + n) % 600, reason: "periodic" });
  const timer = setInterval(() => {
    round++;
    for (let i = 0; i < 5; i++) void beacon(1 + ((round * 5 + i) % rows)).catch(() => {});
  }, 100);
  return { beacon, stop: () => clearInterval(timer) };
}

describe.skipIf(!CHROMIUM.path)(`the page in a hidden tab${skipNote}`, () => {
  const browser = useChromiumWithTabs();
  const pages: Page[] = [];
  afterEach(async () => {
    await Promise.all(pages.splice(0).map((page) => page.close()));
  });

  /** A new tab (over the others); `socket` counts the frames the page's WebSocket receives and says whether it closed. */
  async function openTab(url: string) {
    const page = await browser().contexts()[0].newPage();
    pages.push(page);
    const socket = { received: 0, closed: false };
    page.on("websocket", (ws) => {
      ws.on("framereceived", () => socket.received++);
      ws.on("close", () => (socket.closed = true));
    });
    await page.setViewportSize({ width: 1280, height: 640 });
    await page.goto(url);
    return { page, socket };
  }

  it("does no DOM work while hidden, keeps its connection, and shows the latest list at once when shown", async () => {
    const gw: Gateway = await startGateway({ rateLimit: { burst: 1_000, perSecond: 1_000 } });
    const sender = await nodeClient(gw, { host: "sender", mode: "backend" });
    const { beacon, stop } = churn(sender, 30);
    for (let n = 1; n <= 30; n++) await beacon(n);
    const { page, socket } = await openTab(pageUrl(gw));
    await waitLive(page);
    await expect.poll(() => page.locator("#rows tr").count()).toBe(33); // 30, the sender, the self row and the page

    // Every change to the table body and the counts, from now on.
    await page.evaluate(() => {
      const w = window as unknown as { mutations: number; visibleRows?: string[]; shownAt?: number };
      w.mutations = 0;
      const observer = new MutationObserver((records) => (w.mutations += records.length));
      for (const id of ["rows", "count-rows", "caption-count"]) observer.observe(document.getElementById(id)!, { subtree: true, childList: true, attributes: true, characterData: true });
      // Registered after the page's own listener: sees the table as the page left it on being shown.
      document.addEventListener("visibilitychange", () => {
        if (document.hidden) return;
        w.visibleRows = Array.from(document.querySelectorAll("#rows tr"), (tr) => `${tr.querySelector("th")!.textContent}|${tr.querySelector(".col-version")!.textContent}`);
      });
    });
    await expect.poll(() => page.evaluate(() => (window as unknown as { mutations: number }).mutations)).toBeGreaterThan(0); // churn renders while visible

    const cover = await openTab("about:blank"); // a second tab over the page
    await expect.poll(() => page.evaluate(() => document.visibilityState)).toBe("hidden");
    await page.evaluate(() => ((window as unknown as { mutations: number }).mutations = 0));
    const framesBefore = socket.received;
    // Pushes keep coming while hidden (2.5 s of churn, a new client, a changed row); the page takes them and touches no row.
    await wait(2_500);
    stop();
    await nodeClient(gw, { host: "late-arrival", mode: "ui" });
    await beacon(3, "9.9.9");
    await wait(1_000);
    expect(await page.evaluate(() => (window as unknown as { mutations: number }).mutations)).toBe(0);
    expect(socket.received - framesBefore).toBeGreaterThan(10);
    expect(socket.closed).toBe(false);

    await page.bringToFront();
    await expect.poll(() => page.evaluate(() => document.visibilityState)).toBe("visible");
    const shown = await page.evaluate(() => (window as unknown as { visibleRows?: string[] }).visibleRows);
    expect(shown).toContain("late-arrival|1.4.0");
    expect(shown).toContain("build-3|9.9.9");
    expect(shown).toHaveLength(34);
    expect(socket.closed).toBe(false);
    await cover.page.close();
  });
});
