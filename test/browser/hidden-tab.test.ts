// The page in a tab the operator is not looking at, on a gateway that keeps changing: it renders
// nothing while hidden (no DOM work per push) yet keeps its connection and mirror, and shows the latest
// list the moment the tab is shown again. The tab is hidden for real, by a second tab opened over it
// (useChromiumWithTabs: Chromium fires visibilitychange there). Shown again while its connection is
// down, the page still marks a reconnect's rows against the list as it was when the connection was lost.
import type { Page } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import type { PresenceClient } from "../../src/client/index.js";
import type { Gateway } from "../../src/server/index.js";
import { ageSeconds, slowdown } from "../support/timing.js";
import { CHROMIUM, cell, nodeClient, pageUrl, row, skipNote, startGateway, useChromiumWithTabs, waitLive } from "./harness.js";
import { startLink } from "./link.js";
import { markedSince, pageNow, recordMarks } from "./marks.js";

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
  async function openTab(url: string, initScript?: () => void) {
    const page = await browser().contexts()[0].newPage();
    pages.push(page);
    if (initScript) await page.addInitScript(initScript);
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
  it("shown again while not connected: a reconnect still marks against the list as it was when the connection was lost", async () => {
    // The page and its WebSocket through a relay: cutting it drops the page's socket while the gateway stays up.
    const link = await startLink();
    const gw = await startGateway({ allowOrigins: [`http://127.0.0.1:${link.port}`] });
    link.target = gw.port;
    const sender = await nodeClient(gw, { host: "sender", mode: "backend" });
    // kiosk-7, a beacon row, 3 s from Idle.
    await sender.systemEvent({ instanceId: "kiosk-7", host: "kiosk-7", mode: "ui", reason: "periodic" });
    await sender.testClockAdvance({ ms: 117_000 });
    const { page } = await openTab(`http://127.0.0.1:${link.port}/`, recordMarks);
    await waitLive(page);
    await expect.poll(async () => ageSeconds((await cell(page, "kiosk-7", "age").textContent()) ?? "")).toBeGreaterThanOrEqual(117);
    expect(await cell(page, "kiosk-7", "status").textContent()).toBe("Active");
    const ownKey = (await row(page, "Instances page").getAttribute("data-key")) ?? "";
    // Registered after the page's own listener: kiosk-7's status in the table as the page shows it again.
    await page.evaluate(() => {
      document.addEventListener("visibilitychange", () => {
        if (document.hidden) return;
        (window as unknown as { kioskShown?: string }).kioskShown = document.querySelector('#rows tr[data-key="id:kiosk-7"] .col-status')?.textContent ?? "";
      });
    });

    const cover = await openTab("about:blank");
    await expect.poll(() => page.evaluate(() => document.visibilityState)).toBe("hidden");
    link.cut();
    await expect.poll(() => page.locator("#table-region").getAttribute("data-live")).toBe("false");
    // While hidden and down, kiosk-7 ages past 120 s on the page's clock; on the gateway its client beacons again (Active there).
    await wait(4_000 + 1_000 * Math.ceil(slowdown()));
    await sender.systemEvent({ instanceId: "kiosk-7", reason: "periodic" });
    await page.bringToFront();
    await expect.poll(() => page.evaluate(() => (window as unknown as { kioskShown?: string }).kioskShown)).toMatch(/Idle/);
    const before = await pageNow(page);

    link.restore();
    await waitLive(page);
    await expect.poll(() => cell(page, "kiosk-7", "status").textContent()).toBe("Active");
    await wait(300);
    // Marked: the page's own row (disconnect, then connect); not kiosk-7, Active when the connection was
    // lost and Active again (only the last known list, aging while down, had it Idle).
    expect(await markedSince(page, before)).toEqual([ownKey]);
    await cover.page.close();
  });
});
