// How the page reads and is used: filters by keyboard only, a real table, axe-core finding no WCAG A/AA
// violation in either theme, the theme toggle; and the README's screenshot, taken from a realistic list.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { Gateway } from "../../src/server/index.js";
import { axe, CHROMIUM, useChromium, cell, nodeClient, openPage, pageUrl, row, skipNote, startGateway, waitLive } from "./harness.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** `GP_UPDATE_SCREENSHOTS=1 npm test` (or `npm run screenshots`) refreshes the README's image; otherwise it goes to .tmp/. */
const SCREENSHOT_DIR = process.env.GP_UPDATE_SCREENSHOTS === "1" ? join(ROOT, "docs/img") : join(ROOT, ".tmp/screenshots");

/** A list with every status: Active clients, an Idle beacon-only row, a Stale disconnected laptop. */
async function realisticList(gw: Gateway): Promise<void> {
  const old = await nodeClient(gw, { host: "old-laptop", mode: "ui", platform: "windows 10.0.19045", version: "1.2.0" });
  await old.close();
  const ops = await nodeClient(gw, { host: "ops-console", mode: "backend", platform: "linux 6.8", version: "2.0.1" });
  await ops.testClockAdvance({ ms: 190_000 });
  await ops.systemEvent({ instanceId: "kiosk-7", host: "kiosk-7", mode: "ui", platform: "android 14", version: "2.0.0", lastInputSeconds: 95, reason: "periodic" });
  await ops.testClockAdvance({ ms: 150_000 });
  const anna = await nodeClient(gw, { host: "Anna's MacBook Pro", mode: "ui", platform: "darwin 24.1", version: "2.0.1" });
  await anna.systemEvent({ instanceId: anna.instanceId, ip: "192.168.1.23", lastInputSeconds: 12, reason: "periodic" });
  await nodeClient(gw, { host: "build-agent-3", mode: "backend", platform: "linux 6.8", version: "2.0.1" });
  await nodeClient(gw, { host: "iPhone 15", mode: "node", role: "node", platform: "ios 18.2", version: "2.0.1" });
}

const background = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

describe.skipIf(!CHROMIUM.path)(`the page's view${skipNote}`, () => {
  const browser = useChromium();

  it("filters by mode, status and host with the keyboard alone", async () => {
    const gw = await startGateway();
    await realisticList(gw);
    const page = await openPage(browser(), pageUrl(gw));
    await waitLive(page);
    await expect.poll(() => row(page, "iPhone 15").count()).toBe(1);
    const hosts = () => page.locator("#rows th").allTextContents();

    // Tab from the top of the page to the host search, then type.
    let focused = "";
    for (let i = 0; i < 12 && focused !== "filter-host"; i++) {
      await page.keyboard.press("Tab");
      focused = await page.evaluate(() => document.activeElement?.id ?? "");
    }
    expect(focused).toBe("filter-host");
    await page.keyboard.type("ANNA");
    await expect.poll(hosts).toEqual(["Anna's MacBook Pro"]);
    await page.keyboard.press("Escape"); // clears a search field
    await expect.poll(async () => (await hosts()).length).toBe(8); // the realistic list, self and the page

    // Back to the status select; arrow keys change a closed select's value.
    await page.keyboard.press("Shift+Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("filter-status");
    await page.keyboard.press("ArrowDown"); // Active
    await page.keyboard.press("ArrowDown"); // Idle
    await expect.poll(hosts).toEqual(["kiosk-7"]);
    await page.keyboard.press("ArrowDown"); // Stale
    await expect.poll(hosts).toEqual(["old-laptop"]);
    expect(await cell(page, "old-laptop", "reason").textContent()).toBe("disconnect");
    await page.keyboard.press("Home"); // All statuses

    await page.keyboard.press("Shift+Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("filter-mode");
    await page.keyboard.type("backend");
    await expect.poll(async () => (await hosts()).sort()).toEqual(["build-agent-3", "ops-console"]);
    expect(await page.locator("#count-shown").textContent()).toBe("showing 2 of 8");

    // The table's scroll region takes the focus too (keyboard users can scroll a wide table).
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("table-region");
  });

  it("is a real table with headers, and axe-core finds no WCAG 2.1 A/AA violation in light and dark themes", async () => {
    const gw = await startGateway();
    await realisticList(gw);
    for (const colorScheme of ["light", "dark"] as const) {
      // Each theme in its own browser context: a page row each (8 rows, then 9).
      const page = await openPage(browser(), pageUrl(gw), { colorScheme });
      await waitLive(page);
      await expect.poll(() => row(page, "iPhone 15").count()).toBe(1);
      expect(await page.getByRole("table").count()).toBe(1);
      expect(await page.getByRole("columnheader").allTextContents()).toEqual(["Status", "Host", "IP", "Mode", "Version", "Platform", "Last input", "Reason", "Roles", "Age"]);
      expect(await page.getByRole("rowheader").count()).toBe(colorScheme === "light" ? 8 : 9);
      // The caption counts what it lists: disconnected rows stay until they expire (SPEC P6), so it does not say "connected".
      const listed = colorScheme === "light" ? 8 : 9;
      await expect.poll(() => page.locator("caption").textContent()).toBe(`Instances, newest first · ${listed} listed, 1 disconnected `);
      expect(await page.locator("[aria-live]").count()).toBeGreaterThanOrEqual(1);
      const report = await axe(page);
      expect(report.violations).toEqual([]);
      // It did check what matters here: contrast of every text, table headers, labels, buttons.
      expect(report.passes).toEqual(expect.arrayContaining(["color-contrast", "empty-table-header", "label", "button-name", "landmark-one-main"]));
      expect(await background(page)).toBe(colorScheme === "light" ? "rgb(255, 255, 255)" : "rgb(13, 17, 23)");
    }
  });

  it("switches themes with its toggle, and remembers the choice", async () => {
    const gw = await startGateway();
    const page = await openPage(browser(), pageUrl(gw));
    await waitLive(page);
    const toggle = page.getByRole("button", { name: /^Theme:/ });
    expect(await toggle.textContent()).toBe("Theme: Auto");
    await toggle.focus();
    await page.keyboard.press("Enter"); // Light
    await page.keyboard.press("Enter"); // Dark
    expect(await toggle.textContent()).toBe("Theme: Dark");
    expect(await background(page)).toBe("rgb(13, 17, 23)");
    await page.reload();
    await waitLive(page);
    expect(await background(page)).toBe("rgb(13, 17, 23)");
    expect(await page.getByRole("button", { name: /^Theme:/ }).textContent()).toBe("Theme: Dark");
  });

  it("takes the README's screenshot of a realistic list (docs/img/instances.png)", async () => {
    const gw = await startGateway();
    await realisticList(gw);
    const page = await openPage(browser(), pageUrl(gw));
    await waitLive(page);
    await expect.poll(() => cell(page, "old-laptop", "status").textContent()).toBe("Stale");
    await expect.poll(() => cell(page, "kiosk-7", "status").textContent()).toBe("Idle");
    await expect.poll(() => cell(page, "Anna's MacBook Pro", "ip").textContent()).toBe("192.168.1.23");
    await page.mouse.move(1, 1); // the page's own row: last input now
    // The change marks gone (the page's own launch beacon marks its row for 1.5 s): the image shows the list at rest.
    await expect.poll(() => page.locator("#rows tr.changed, #rows tr.changed-fading").count()).toBe(0);
    // As tall as the content: the table scrolls in a region at most the window's height (its header
    // row stays in view), so a window shorter than the list cut the Stale row off the image.
    await page.setViewportSize({ width: 1280, height: 1000 });
    const height = await page.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));
    await page.setViewportSize({ width: 1280, height });
    expect(await page.locator("#table-region").evaluate((el) => el.scrollHeight <= el.clientHeight)).toBe(true);
    const image = await page.screenshot({ fullPage: true });
    // A PNG of the page's width, with every row in it.
    expect(image.subarray(1, 4).toString()).toBe("PNG");
    expect(image.readUInt32BE(16)).toBe(1280);
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await writeFile(join(SCREENSHOT_DIR, "instances.png"), image);
    expect(dirname(join(SCREENSHOT_DIR, "instances.png"))).toBe(SCREENSHOT_DIR);
  });
});
