// The page as an operator of a busy gateway uses it: a long list (a long host among the rows), sorted
// by a column with the mouse or the keyboard, scrolled with the header row kept in view, searched by
// address.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { Gateway } from "../../src/server/index.js";
import { CHROMIUM, cell, nodeClient, openPage, pageUrl, row, skipNote, startGateway, useChromium, waitLive } from "./harness.js";

/** A host of SPEC B3's longest (256 characters). */
const LONG_HOST = `ops-${"very-long-hostname-segment-".repeat(9)}`.slice(0, 255) + "Z";

/** 40 beacon rows (within one connection's burst of 50), hosts build-1..build-40, one with the long host; every other cell as wide as a busy deployment's. */
async function busyList(gw: Gateway): Promise<void> {
  const sender = await nodeClient(gw, { host: "sender", mode: "backend" });
  for (let n = 1; n <= 40; n++) {
    const host = n === 20 ? LONG_HOST : `build-${n}`;
    await sender.systemEvent({
      instanceId: `b-${n}`,
      host,
      ip: `10.0.${n % 3}.${n}`,
      mode: "webchat",
      platform: "linux 6.18.44-fc-v595",
      version: `2026.${n % 12}.6+hotfix`,
      lastInputSeconds: 600,
      reason: "periodic",
    });
  }
}

const hosts = (page: Page) => page.locator("#rows th").allTextContents();
const ariaSort = (page: Page, name: string) => page.getByRole("columnheader", { name, exact: true }).getAttribute("aria-sort");

describe.skipIf(!CHROMIUM.path)(`a busy list on the page${skipNote}`, () => {
  const browser = useChromium();

  /** The page on a gateway with the busy list: its 40 rows, the sender's, the self row and the page's own. */
  async function openBusyPage(): Promise<{ gw: Gateway; page: Page }> {
    const gw = await startGateway();
    await busyList(gw);
    const page = await openPage(browser(), pageUrl(gw));
    await waitLive(page);
    await expect.poll(() => page.locator("#rows tr").count()).toBe(43);
    return { gw, page };
  }

  it("cuts a 256-character host (its tooltip holds it) instead of pushing the other columns out of sight", async () => {
    const { page } = await openBusyPage();
    const region = await page.locator("#table-region").evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    // 1280 px wide: every column fits, Age included (the uncut host made the table about 2,800 px wide; cut at 20rem, 1,293 px).
    expect(region.scroll).toBeLessThanOrEqual(region.client);
    const long = page.locator("#rows th", { hasText: "ops-very-long" });
    expect(await long.textContent()).toBe(LONG_HOST); // screen readers read it whole
    expect(await long.getAttribute("title")).toBe(`${LONG_HOST}\ninstanceId b-20`);
    const age = await page.locator("#rows tr").filter({ hasText: "ops-very-long" }).locator(".col-age").boundingBox();
    expect(age!.x + age!.width).toBeLessThanOrEqual(1280); // the row's last cell is in the window
  });

  it("sorts by a column header, with the mouse or the keyboard, and says how in aria-sort and the caption", async () => {
    const { gw, page } = await openBusyPage();
    expect(await ariaSort(page, "Age")).toBe("ascending"); // newest first
    expect(await page.locator("#caption-order").textContent()).toBe("newest first");

    await page.getByRole("button", { name: "Host", exact: true }).click();
    const byHost = (await hosts(page)).filter((h) => h.startsWith("build-"));
    expect(byHost.slice(0, 4)).toEqual(["build-1", "build-2", "build-3", "build-4"]); // numbers by value
    expect(await ariaSort(page, "Host")).toBe("ascending");
    expect(await ariaSort(page, "Age")).toBeNull();
    expect(await page.locator("#caption-order").textContent()).toBe("by Host (ascending)");

    // The same header again, from the keyboard: descending.
    await page.getByRole("button", { name: "Host", exact: true }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(async () => (await hosts(page)).filter((h) => h.startsWith("build-")).slice(0, 2)).toEqual(["build-40", "build-39"]);
    expect(await ariaSort(page, "Host")).toBe("descending");

    // New rows keep the chosen order.
    await nodeClient(gw, { host: "build-25a", mode: "ui" });
    await expect.poll(async () => {
      const list = await hosts(page);
      return list.indexOf("build-25a") === list.indexOf("build-25") - 1;
    }).toBe(true);
  });

  it("keeps the header row in view while the list scrolls (End from the focused table), and finds a row by its ip", async () => {
    const { page } = await openBusyPage();
    await page.locator("#table-region").focus();
    await page.keyboard.press("End");
    const last = page.locator("#rows tr").last();
    await expect.poll(() => last.evaluate((tr) => tr.getBoundingClientRect().bottom <= window.innerHeight)).toBe(true);
    const header = await page.getByRole("columnheader", { name: "Host", exact: true }).evaluate((th) => th.getBoundingClientRect());
    expect(header.top).toBeGreaterThanOrEqual(0);
    expect(header.bottom).toBeLessThanOrEqual(640);
    // A header that scrolled away with the rows would sit above the viewport (it did: top -800 px and less).

    await page.locator("#filter-host").fill("10.0.1.7");
    await expect.poll(() => hosts(page)).toEqual(["build-7"]);
  });

  it("says when a row that is not updated again expires (the TTL of hello-ok), and drops it then", async () => {
    const gw = await startGateway({ ttlMs: 60_000 });
    const page = await openPage(browser(), pageUrl(gw));
    await waitLive(page);
    const ops = await nodeClient(gw, { host: "ops-console", mode: "backend" });
    await (await nodeClient(gw, { host: "field-laptop" })).close();
    await expect.poll(() => cell(page, "field-laptop", "reason").textContent()).toBe("disconnect");
    expect(await cell(page, "field-laptop", "age").getAttribute("title")).toMatch(/; expires in \d+s unless updated \(TTL 1m 0s\)$/);
    await ops.testClockAdvance({ ms: 40_000 });
    // Was "40s", then the row was gone 20 s later with nothing said.
    await expect.poll(() => cell(page, "field-laptop", "age").textContent()).toMatch(/^4\ds · expires in 1\ds$/);
    expect(await cell(page, "ops-console", "age").textContent()).toMatch(/^\d+s$/); // an open connection's row is kept alive
    await ops.testClockAdvance({ ms: 21_000 });
    await expect.poll(() => row(page, "field-laptop").count()).toBe(0);
  });

  it("in a narrow window (380 px) keeps the caption's counts and notes in view while the table scrolls sideways", async () => {
    const { page } = await openBusyPage();
    await page.setViewportSize({ width: 380, height: 640 });
    const inView = () => page.locator("#caption-count").evaluate((el) => el.getBoundingClientRect().right <= window.innerWidth);
    // Was: the caption as wide as the table (about 1,300 px), "· 43 listed, 0 disconnected" out of sight, and with it a
    // cluster gateway's note that it cannot reach its Redis.
    await expect.poll(inView).toBe(true);
    await page.locator("#table-region").evaluate((el) => el.scrollBy(600, 0));
    expect(await inView()).toBe(true);
    expect(await page.locator("#table-region").evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
  });
});
